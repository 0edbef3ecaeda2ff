// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collectors/kernel/kernel_view.h"
#include "exporter/flags/options.h"

namespace nfce {

// The enabled collectors that speak ctnetlink on this host, and so need
// CAP_NET_ADMIN: flows and events always; stat and expect where their proc
// file is absent (kernels without CONFIG_NF_CONNTRACK_PROCFS) or ctnetlink
// is asked for.
std::vector<std::string> NetAdminUsers(const Options& options,
                                       const KernelView& view);

// Whether this thread holds CAP_NET_ADMIN in its effective set.
bool HasNetAdmin();

// Gives up CAP_NET_ADMIN for good: the ambient, inheritable, permitted and
// effective sets, and the bounding set where CAP_SETPCAP allows. Capability
// sets are per thread: call it while the process has one.
absl::Status DropNetAdmin();

}  // namespace nfce

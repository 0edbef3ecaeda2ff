// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/stat_parser.h"

namespace nfce {

// The counter name of a CTA_STATS_* attribute, matching the /proc names.
absl::string_view CtaStatsName(int attribute);

// Asks ctnetlink for the per-CPU counters (IPCTNL_MSG_CT_GET_STATS_CPU, as
// `conntrack -S` does) in the caller's network namespace. Needs
// CAP_NET_ADMIN. Only attributes the kernel sends are returned.
//
// The caller must make sure conntrack is loaded: any ctnetlink request can
// make the kernel load modules, and the exporter never does that.
absl::StatusOr<StatSnapshot> QueryCtnetlinkStats();

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/parse/stat_parser.h"

namespace nfce {

// Asks ctnetlink for the per-CPU counters (IPCTNL_MSG_CT_GET_STATS_CPU, as
// `conntrack -S` does) and the expectation counters
// (IPCTNL_MSG_EXP_GET_STATS_CPU) in the caller's network namespace. Needs
// CAP_NET_ADMIN. Only attributes the kernel sends are returned.
//
// Only KernelView calls it, once it has made sure conntrack is loaded: any
// ctnetlink request can make the kernel load modules.
absl::StatusOr<StatSnapshot> QueryCtnetlinkStats();

}  // namespace nfce

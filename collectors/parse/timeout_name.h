// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace nfce {

struct TimeoutKey {
  std::string protocol;
  std::string state;  // "default" for sysctls without a state suffix
};

// Splits a sysctl name without its prefix, e.g. "tcp_timeout_established"
// -> {tcp, established}, "udp_timeout" -> {udp, default}. Names that are not
// per-protocol conntrack timeouts (frag6_timeout, tcp_max_retrans) give
// nullopt.
std::optional<TimeoutKey> ParseTimeoutSysctlName(absl::string_view name);

}  // namespace nfce

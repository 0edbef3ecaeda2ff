// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace nfce {

// Outside the exporters' 9100-9999 range (full) and below Linux's ephemeral
// ports (32768+).
inline constexpr char kDefaultListenAddress[] = ":19372";

struct HttpOptions {
  // Each [host]:port the server listens on (listen_address.h).
  std::vector<std::string> listen_addresses = {kDefaultListenAddress};
  std::string telemetry_path = "/metrics";
  int max_requests = 40;      // concurrent scrapes; 0: no limit
  int max_connections = 256;  // connections served at once (threads)
  absl::Duration request_timeout = absl::Seconds(10);
};

}  // namespace nfce

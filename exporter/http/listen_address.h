// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// Converts one Prometheus-style listen address ([host]:port) into civetweb's
// listening_ports syntax:
//   ":port", "[::]:port"   every address: IPv4 and IPv6 on one dual-stack
//                          socket where `ipv6` (as node_exporter's ":9100"),
//                          else IPv4's
//   "[addr]:port"          that IPv6 address only (needs `ipv6`)
//   "a.b.c.d:port"         that IPv4 address (also "[a.b.c.d]:port", so
//                          that one "[$(NODE_IP)]:port" fits either family);
//                          "localhost:port" 127.0.0.1
absl::StatusOr<std::string> CivetListeningPort(absl::string_view address,
                                               bool ipv6);

// Whether IPv6 can be used: civetweb built with it (ours is) and a kernel
// that has it (not booted with ipv6.disable=1).
bool Ipv6Available();

// Why a civetweb listening port ("127.0.0.1:19372", "19372", "+19372",
// "[::1]:19372") cannot be bound, e.g. "Address already in use"; "" if it
// can be, or cannot be told.
std::string WhyCannotBind(absl::string_view civet_port);

}  // namespace nfce

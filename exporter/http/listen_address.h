// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// Converts a Prometheus-style listen address ([host]:port) into civetweb's
// listening_ports syntax. IPv6 hosts need a civetweb built with IPv6 (Debian
// 12's is not).
absl::StatusOr<std::string> CivetListeningPort(absl::string_view address,
                                               bool ipv6_supported);

// Why an IPv4 civetweb listening port ("127.0.0.1:19372", "19372") cannot be
// bound, e.g. "Address already in use"; "" if it can be, or cannot be told.
std::string WhyCannotBind(absl::string_view civet_port);

}  // namespace nfce

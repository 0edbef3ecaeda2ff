// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/findings.h"

namespace nfce {

absl::string_view SeverityName(Severity s) {
  // In the order of Severity.
  constexpr absl::string_view kNames[] = {"note", "warning", "critical",
                                          "unknown"};
  return kNames[static_cast<int>(s)];
}

absl::string_view Finding::code() const {
  return std::visit(
      [](const auto& d) { return std::decay_t<decltype(d)>::kCode; }, details);
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/timeout_name.h"

#include "absl/strings/ascii.h"

namespace nfce {

std::optional<TimeoutKey> ParseTimeoutSysctlName(absl::string_view name) {
  constexpr absl::string_view kMarker = "_timeout";
  size_t at = name.find(kMarker);
  if (at == absl::string_view::npos || at == 0) return std::nullopt;
  absl::string_view protocol = name.substr(0, at);
  absl::string_view rest = name.substr(at + kMarker.size());
  if (protocol == "frag6") return std::nullopt;  // reassembly, not conntrack
  for (char c : protocol) {
    if (!absl::ascii_isalnum(c)) return std::nullopt;
  }
  if (rest.empty()) return TimeoutKey{std::string(protocol), "default"};
  if (rest[0] != '_' || rest.size() == 1) return std::nullopt;
  return TimeoutKey{std::string(protocol), std::string(rest.substr(1))};
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/sysctl.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace nfce {

absl::StatusOr<uint64_t> ParseSysctlUint(absl::string_view text) {
  absl::string_view v = absl::StripAsciiWhitespace(text);
  if (v.empty()) return absl::InvalidArgumentError("empty value");
  for (char c : v) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(
          absl::StrCat("not an unsigned integer: \"", v.substr(0, 40), "\""));
    }
  }
  uint64_t out = 0;
  if (!absl::SimpleAtoi(v, &out)) {
    return absl::OutOfRangeError(
        absl::StrCat("value out of 64-bit range: ", v.substr(0, 40)));
  }
  return out;
}

}  // namespace nfce

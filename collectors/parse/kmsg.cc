// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/kmsg.h"

#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace nfce {

KmsgRecord ParseKmsgRecord(absl::string_view record, bool with_header) {
  KmsgRecord out;
  const size_t semi = record.find(';');
  out.message =
      semi == absl::string_view::npos ? record : record.substr(semi + 1);
  if (with_header && semi != absl::string_view::npos) {
    std::vector<absl::string_view> head =
        absl::StrSplit(record.substr(0, semi), ',');
    if (head.size() >= 3) (void)absl::SimpleAtod(head[2], &out.usec);
  }
  return out;
}

std::string TidyKernelLine(absl::string_view message) {
  absl::string_view m = absl::StripAsciiWhitespace(message);
  while (absl::StartsWith(m, "nf_conntrack: nf_conntrack: ")) {
    m.remove_prefix(std::strlen("nf_conntrack: "));
  }
  return std::string(m);
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/slab_parser.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace nfce {

bool IsConntrackCache(absl::string_view name) {
  for (absl::string_view base : {"nf_conntrack", "ip_conntrack"}) {
    if (!absl::StartsWith(name, base)) continue;
    absl::string_view rest = name.substr(base.size());
    if (rest.empty()) return true;
    if (base == "nf_conntrack" && rest.size() > 1 && rest[0] == '_') {
      rest.remove_prefix(1);
      return std::all_of(rest.begin(), rest.end(), [](char c) {
        return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
      });
    }
  }
  return false;
}

absl::StatusOr<std::vector<SlabCache>> ParseSlabinfo(absl::string_view text) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, '\n', absl::SkipWhitespace());
  if (lines.empty()) return absl::InvalidArgumentError("empty file");
  if (!absl::StartsWith(lines[0], "slabinfo - version: 2.")) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported header \"", lines[0].substr(0, 40),
                     "\" (expected slabinfo - version: 2.x)"));
  }
  std::vector<SlabCache> caches;
  for (size_t i = 1; i < lines.size(); ++i) {
    // Most of the ~200 caches are not ours: look at the name before
    // splitting the line.
    if (!IsConntrackCache(lines[i].substr(0, lines[i].find_first_of(" \t")))) {
      continue;
    }
    std::vector<absl::string_view> f =
        absl::StrSplit(lines[i], absl::ByAnyChar(" \t"), absl::SkipEmpty());
    // name active num objsize objperslab pagesperslab : tunables l b s
    //   : slabdata active_slabs num_slabs sharedavail
    if (f.size() < 16 || f[6] != ":" || f[11] != ":" || f[12] != "slabdata") {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", i + 1, " (", f[0], ") does not have the 2.x layout"));
    }
    SlabCache c;
    c.name = std::string(f[0]);
    std::pair<size_t, uint64_t*> fields[] = {
        {1, &c.active_objs}, {2, &c.num_objs},     {3, &c.objsize},
        {4, &c.objperslab},  {5, &c.pagesperslab}, {13, &c.active_slabs},
        {14, &c.num_slabs}};
    for (auto [index, dest] : fields) {
      if (!absl::SimpleAtoi(f[index], dest)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", i + 1, " (", f[0], "): field ", index + 1, " \"",
            f[index].substr(0, 24), "\" is not an unsigned integer"));
      }
    }
    caches.push_back(std::move(c));
  }
  return caches;
}

absl::StatusOr<uint64_t> ParseSlabAttribute(absl::string_view text) {
  absl::string_view first = absl::StripLeadingAsciiWhitespace(text);
  first = first.substr(0, first.find_first_of(" \t\n"));
  uint64_t v = 0;
  if (first.empty() || !absl::SimpleAtoi(first, &v)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", first.substr(0, 24), "\" is not an unsigned integer"));
  }
  return v;
}

uint64_t ObjectSize(const std::vector<SlabCache>& caches) {
  uint64_t size = 0;
  for (const SlabCache& c : caches) {
    if (c.name == "nf_conntrack" || c.name == "ip_conntrack") return c.objsize;
    size = std::max(size, c.objsize);
  }
  return size;
}

double SlabBytes(const SlabCache& c) {
  return static_cast<double>(c.num_slabs) *
         static_cast<double>(c.pagesperslab) * static_cast<double>(c.page_size);
}

double MemoryLimitBytes(uint64_t limit, uint64_t buckets, uint64_t objsize,
                        uint64_t pointer_size) {
  return static_cast<double>(limit) * static_cast<double>(objsize) +
         static_cast<double>(buckets) * static_cast<double>(pointer_size);
}

std::optional<uint64_t> ParseAuxvPageSize(absl::string_view auxv) {
  constexpr uint64_t kAtPagesz = 6;  // AT_PAGESZ, <elf.h>
  if (auxv.size() % 16 != 0) return std::nullopt;
  for (size_t i = 0; i + 16 <= auxv.size(); i += 16) {
    uint64_t type, value;
    std::memcpy(&type, auxv.data() + i, 8);
    std::memcpy(&value, auxv.data() + i + 8, 8);
    if (type == 0) break;  // AT_NULL ends the vector
    // A page size is a power of two from 4 KiB to 1 MiB.
    if (type == kAtPagesz && value >= 4096 && value <= (1 << 20) &&
        (value & (value - 1)) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// Per-CPU conntrack counters, as the kernel keeps them: 32-bit, wrapping.
struct StatSnapshot {
  struct Cpu {
    int id = 0;
    std::vector<uint32_t> values;  // values[i] belongs to names[i]
  };
  std::vector<std::string> names;  // the kernel's counter names
  std::vector<Cpu> cpus;
};

// Maps a /proc/net/stat/nf_conntrack header to the counter name we export
// (the counter table, collectors/parse/counters.h), or nullopt for columns
// that are not counters: `entries` (the table size, repeated per row) and,
// in the layouts of 5.10 and later (recognised by `clashres` or
// `chainlength`), the columns that the kernel prints as 0.
std::optional<std::string> StatColumnName(absl::string_view header,
                                          bool modern_layout);

// Parses /proc/net/stat/nf_conntrack (or ip_conntrack): a header line, then
// one row of %08x fields per possible CPU. Columns are mapped by header name.
absl::StatusOr<StatSnapshot> ParseProcStat(absl::string_view text);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/stat_parser.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "collectors/parse/counters.h"

namespace nfce {
namespace {

bool IsHexDigit(char c) { return absl::ascii_isxdigit(c); }

bool LooksNumeric(absl::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), IsHexDigit);
}

absl::StatusOr<uint32_t> ParseHex32(absl::string_view token, size_t row,
                                    size_t column) {
  if (!LooksNumeric(token)) {
    return absl::InvalidArgumentError(
        absl::StrCat("row ", row, " column ", column + 1, ": \"",
                     token.substr(0, 20), "\" is not a hex number"));
  }
  absl::string_view digits = token;
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.size() > 8) {
    return absl::OutOfRangeError(
        absl::StrCat("row ", row, " column ", column + 1, ": \"",
                     token.substr(0, 20), "\" exceeds 32 bits"));
  }
  uint32_t v = 0;
  for (char c : digits) {
    v = v * 16 + static_cast<uint32_t>(absl::ascii_isdigit(c)
                                           ? c - '0'
                                           : absl::ascii_tolower(c) - 'a' + 10);
  }
  return v;
}

// The fields of a line, split at spaces and tabs, into `out` (reused from
// row to row). By hand: absl's ByAnyChar splitter was a large share of a
// scrape's CPU, on a file read every scrape (docs/performance.md, "Figures
// behind the code").
void SplitFields(absl::string_view line, std::vector<absl::string_view>* out) {
  out->clear();
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !blank(line[i])) ++i;
    if (i > start) out->push_back(line.substr(start, i - start));
  }
}

std::string Sanitize(absl::string_view header) {
  std::string out;
  for (char c : header) {
    out.push_back(absl::ascii_isalnum(c) ? absl::ascii_tolower(c) : '_');
  }
  return out;
}

}  // namespace

std::optional<std::string> StatColumnName(absl::string_view header,
                                          bool modern_layout) {
  if (header == "entries") return std::nullopt;
  const CounterInfo* counter = CounterOfHeader(header);
  if (counter == nullptr) return Sanitize(header);  // a newer kernel's column
  if (modern_layout && counter->zero_in_modern_layout) return std::nullopt;
  return std::string(counter->name);
}

absl::StatusOr<StatSnapshot> ParseProcStat(absl::string_view text) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, '\n', absl::SkipWhitespace());
  if (lines.empty()) return absl::InvalidArgumentError("empty file");

  std::vector<absl::string_view> header;
  SplitFields(lines[0], &header);
  if (LooksNumeric(header[0])) {
    return absl::InvalidArgumentError(
        "missing header line: the first line holds numbers");
  }
  if (lines.size() == 1) {
    return absl::InvalidArgumentError("header but no per-CPU rows");
  }
  bool modern = std::find_if(header.begin(), header.end(), [](auto h) {
                  return h == "clashres" || h == "chainlength";
                }) != header.end();

  StatSnapshot snap;
  std::vector<bool> keep(header.size());  // column exported
  for (size_t i = 0; i < header.size(); ++i) {
    if (std::optional<std::string> name = StatColumnName(header[i], modern)) {
      if (std::find(snap.names.begin(), snap.names.end(), *name) !=
          snap.names.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("header names \"", *name, "\" twice"));
      }
      snap.names.push_back(*std::move(name));
      keep[i] = true;
    }
  }

  std::vector<absl::string_view> fields;
  for (size_t r = 1; r < lines.size(); ++r) {
    SplitFields(lines[r], &fields);
    if (fields.size() != header.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "row ", r, " has ", fields.size(), " fields, header has ",
          header.size(), " (truncated file?)"));
    }
    StatSnapshot::Cpu cpu;
    cpu.id = static_cast<int>(r - 1);  // rows follow the possible CPUs
    cpu.values.reserve(snap.names.size());
    for (size_t c = 0; c < fields.size(); ++c) {
      absl::StatusOr<uint32_t> v = ParseHex32(fields[c], r, c);
      if (!v.ok()) return v.status();
      if (keep[c]) cpu.values.push_back(*v);
    }
    snap.cpus.push_back(std::move(cpu));
  }
  return snap;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/host.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace nfce {

absl::StatusOr<uint64_t> ParseMemTotalBytes(absl::string_view meminfo) {
  for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
    uint64_t kb = 0;
    if (absl::ConsumePrefix(&line, "MemTotal:") &&
        absl::SimpleAtoi(
            absl::StripSuffix(absl::StripAsciiWhitespace(line), " kB"), &kb)) {
      return kb * 1024;
    }
  }
  return absl::InvalidArgumentError("no MemTotal line");
}

int CountCpus(absl::string_view proc_stat) {
  int cpus = 0;
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (line.size() > 3 && absl::StartsWith(line, "cpu") &&
        absl::ascii_isdigit(line[3])) {
      ++cpus;
    }
  }
  return cpus;
}

std::optional<double> ParseUptimeSeconds(absl::string_view uptime) {
  double seconds = 0;
  if (!absl::SimpleAtod(uptime.substr(0, uptime.find(' ')), &seconds)) {
    return std::nullopt;
  }
  return seconds;
}

std::pair<int, int> KernelVersion(absl::string_view release) {
  std::vector<absl::string_view> parts = absl::StrSplit(release, '.');
  int major = 0, minor = 0;
  if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &major)) {
    absl::string_view m = parts[1];
    size_t digits = 0;
    while (digits < m.size() && absl::ascii_isdigit(m[digits])) ++digits;
    if (!absl::SimpleAtoi(m.substr(0, digits), &minor)) major = 0;
  }
  return {major, minor};
}

}  // namespace nfce

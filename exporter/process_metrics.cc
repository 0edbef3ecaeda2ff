// SPDX-License-Identifier: Apache-2.0
#include "exporter/process_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "collectors/families.h"
#include "collectors/file_reader.h"

namespace nfce {

absl::StatusOr<ProcessStat> ParseProcessStat(absl::string_view text) {
  // "pid (comm) state ...": comm may hold spaces and ')', so split after
  // the last ')'.
  size_t paren = text.rfind(')');
  if (paren == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc/self/stat: no ')' after comm");
  }
  std::vector<absl::string_view> f =
      absl::StrSplit(text.substr(paren + 1), ' ', absl::SkipWhitespace());
  // f[0] is field 3 (state): field N is f[N - 3].
  if (f.size() < 22) {
    return absl::InvalidArgumentError("/proc/self/stat: too few fields");
  }
  ProcessStat s;
  if (!absl::SimpleAtoi(f[11], &s.utime_ticks) ||
      !absl::SimpleAtoi(f[12], &s.stime_ticks) ||
      !absl::SimpleAtoi(f[19], &s.start_ticks) ||
      !absl::SimpleAtoi(f[20], &s.virtual_bytes) ||
      !absl::SimpleAtoi(f[21], &s.resident_pages)) {
    return absl::InvalidArgumentError(
        "/proc/self/stat: a field is not a number");
  }
  return s;
}

absl::StatusOr<uint64_t> ParseMaxOpenFiles(absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, "Max open files")) continue;
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipWhitespace());
    uint64_t soft = 0;
    if (!f.empty() && absl::SimpleAtoi(f[0], &soft)) return soft;
    if (!f.empty() && f[0] == "unlimited") return UINT64_MAX;
  }
  return absl::InvalidArgumentError("/proc/self/limits: no Max open files");
}

namespace {

// Seconds since the epoch at boot: "btime" of /proc/stat.
absl::StatusOr<uint64_t> BootTime() {
  absl::StatusOr<std::string> text = SharedFileCache().Read("/proc/stat");
  if (!text.ok()) return text.status();
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    uint64_t t = 0;
    if (absl::ConsumePrefix(&line, "btime ") && absl::SimpleAtoi(line, &t)) {
      return t;
    }
  }
  return absl::NotFoundError("/proc/stat: no btime");
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessFamilies() {
  std::vector<prometheus::MetricFamily> out;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  if (auto text = SharedFileCache().Read("/proc/self/stat"); text.ok()) {
    if (auto s = ParseProcessStat(*text); s.ok()) {
      auto cpu = CounterFamily("process_cpu_seconds_total",
                               "Total user and system CPU time spent in "
                               "seconds.");
      AddSample(&cpu,
                static_cast<double>(s->utime_ticks + s->stime_ticks) / tick);
      out.push_back(std::move(cpu));
      out.push_back(SingleGauge(
          "process_resident_memory_bytes", "Resident memory size in bytes.",
          static_cast<double>(s->resident_pages) *
              static_cast<double>(sysconf(_SC_PAGESIZE))));
      out.push_back(SingleGauge("process_virtual_memory_bytes",
                                "Virtual memory size in bytes.",
                                static_cast<double>(s->virtual_bytes)));
      if (auto boot = BootTime(); boot.ok()) {
        out.push_back(SingleGauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            static_cast<double>(*boot) +
                static_cast<double>(s->start_ticks) / tick));
      }
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    int fds = 0;
    while (const dirent* e = readdir(dir)) fds += e->d_name[0] != '.';
    closedir(dir);
    out.push_back(SingleGauge("process_open_fds",
                              "Number of open file descriptors.",
                              static_cast<double>(fds - 1)));  // the DIR's
  }
  if (auto text = SharedFileCache().Read("/proc/self/limits"); text.ok()) {
    if (auto max = ParseMaxOpenFiles(*text); max.ok()) {
      out.push_back(SingleGauge("process_max_fds",
                                "Maximum number of open file descriptors.",
                                static_cast<double>(*max)));
    }
  }
  return out;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/process_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "collectors/families.h"
#include "collectors/kernel/file_reader.h"

namespace nfce {

absl::StatusOr<uint64_t> ParseStartTicks(absl::string_view text) {
  // "pid (comm) state ...": comm may hold spaces and ')', so split after
  // the last ')'.
  size_t paren = text.rfind(')');
  if (paren == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc/self/stat: no ')' after comm");
  }
  std::vector<absl::string_view> f =
      absl::StrSplit(text.substr(paren + 1), ' ', absl::SkipWhitespace());
  // f[0] is field 3 (state): field N is f[N - 3].
  uint64_t ticks = 0;
  if (f.size() < 20 || !absl::SimpleAtoi(f[19], &ticks)) {
    return absl::InvalidArgumentError(
        "/proc/self/stat: no start time (field 22)");
  }
  return ticks;
}

namespace {

double Seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Seconds since the epoch when this process started: now, less the time
// since boot, plus the start field of /proc/self/stat (ticks since boot).
// Fixed for the life of the process: read once.
std::optional<double> StartTime() {
  static const std::optional<double> start = []() -> std::optional<double> {
    auto text = ReadFileToString("/proc/self/stat");
    if (!text.ok()) return std::nullopt;
    auto ticks = ParseStartTicks(*text);
    if (!ticks.ok()) return std::nullopt;
    const double boot = Seconds(CLOCK_REALTIME) - Seconds(CLOCK_BOOTTIME);
    return boot + static_cast<double>(*ticks) /
                      static_cast<double>(sysconf(_SC_CLK_TCK));
  }();
  return start;
}

// Open file descriptors, not counting the one this function keeps. Since
// Linux 6.2 a stat() of /proc/<pid>/fd gives their number as st_size: one
// fstat() of a kept descriptor, where listing the directory makes the kernel
// build an entry per descriptor (docs/performance.md, "Figures behind the
// code").
// Older kernels say 0 there; then the directory is listed.
std::optional<int> OpenFds() {
  static const int dir_fd =
      open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return std::nullopt;
  struct stat st;
  if (fstat(dir_fd, &st) == 0 && st.st_size > 0) {
    return static_cast<int>(st.st_size) - 1;
  }
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  int fds = 0;
  while (const dirent* e = readdir(dir)) fds += e->d_name[0] != '.';
  closedir(dir);
  return fds - 2;  // the DIR's and the kept one
}

// Makes reading this process's CPU time one atomic load. The kernel sums
// the time of every thread on each read (258 of them with the default
// --web.max-connections, and the cost grows with them), unless a
// process-wide CPU timer is armed: then it
// keeps a running total that every thread adds to as it is accounted. The
// timer is due after 200 years of CPU, and its signal, SIGURG, is ignored by
// default; a SIGEV_NONE timer would not do, as the kernel never arms one.
// Called once; false if it could not be armed (the sum is read as before).
bool KeepRunningCpuTotal() {
  static const bool armed = [] {
    sigevent ev{};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGURG;
    timer_t timer;
    if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &timer) != 0) return false;
    itimerspec due{};
    due.it_value.tv_sec = time_t{200} * 365 * 24 * 3600;
    return timer_settime(timer, 0, &due, nullptr) == 0;
  }();
  return armed;
}

}  // namespace

// Per scrape, the cheapest source of each value: clock_gettime() and
// getrlimit() are system calls with nothing to format, /proc/self/statm is
// seven numbers; /proc/self/stat would also sum the CPU time of every one of
// the exporter's threads and format 52 fields.
std::vector<prometheus::MetricFamily> ProcessFamilies() {
  std::vector<prometheus::MetricFamily> out;
  // CLOCK_PROCESS_CPUTIME_ID: user plus system time of every thread, read
  // from the running total (see KeepRunningCpuTotal); getrusage() would loop
  // over the threads twice and fill 14 fields.
  KeepRunningCpuTotal();
  if (timespec cpu{}; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0) {
    auto family = CounterFamily("process_cpu_seconds_total",
                                "Total user and system CPU time spent in "
                                "seconds.");
    AddSample(&family, static_cast<double>(cpu.tv_sec) +
                           static_cast<double>(cpu.tv_nsec) / 1e9);
    out.push_back(std::move(family));
  }
  static auto* own = new FileCache();  // this process's /proc/self
  if (auto statm = own->Read("/proc/self/statm"); statm.ok()) {
    std::vector<absl::string_view> f =
        absl::StrSplit(*statm, ' ', absl::SkipWhitespace());
    uint64_t pages_virtual = 0, pages_resident = 0;
    if (f.size() >= 2 && absl::SimpleAtoi(f[0], &pages_virtual) &&
        absl::SimpleAtoi(f[1], &pages_resident)) {
      const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
      out.push_back(SingleGauge("process_resident_memory_bytes",
                                "Resident memory size in bytes.",
                                static_cast<double>(pages_resident) * page));
      out.push_back(SingleGauge("process_virtual_memory_bytes",
                                "Virtual memory size in bytes.",
                                static_cast<double>(pages_virtual) * page));
    }
  }
  if (std::optional<double> start = StartTime()) {
    out.push_back(SingleGauge(
        "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.", *start));
  }
  if (std::optional<int> fds = OpenFds()) {
    out.push_back(SingleGauge("process_open_fds",
                              "Number of open file descriptors.",
                              static_cast<double>(*fds)));
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
    out.push_back(SingleGauge(
        "process_max_fds", "Maximum number of open file descriptors.",
        files.rlim_cur == RLIM_INFINITY ? static_cast<double>(UINT64_MAX)
                                        : static_cast<double>(files.rlim_cur)));
  }
  return out;
}

}  // namespace nfce

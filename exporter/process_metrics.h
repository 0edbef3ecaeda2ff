// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "prometheus/metric_family.h"

namespace nfce {

// What /proc/self/stat says of this process (fields 14, 15, 22, 23, 24);
// read once, for the start time.
struct ProcessStat {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // since boot
  uint64_t virtual_bytes = 0;
  uint64_t resident_pages = 0;
};
absl::StatusOr<ProcessStat> ParseProcessStat(absl::string_view text);

// The standard process metrics of every Prometheus client library, for this
// process: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. Read from this process (getrusage,
// getrlimit, the real /proc/self whatever --path.procfs says): they describe
// the exporter, not the host. What cannot be read is left out.
std::vector<prometheus::MetricFamily> ProcessFamilies();

}  // namespace nfce

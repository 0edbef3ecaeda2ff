// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "prometheus/metric_family.h"

namespace nfce {

// The start time of a process, in clock ticks since boot: field 22 of
// /proc/<pid>/stat.
absl::StatusOr<uint64_t> ParseStartTicks(absl::string_view proc_pid_stat);

// The standard process metrics of every Prometheus client library, for this
// process: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. Read from this process (clocks, getrlimit, the
// real /proc/self whatever --path.procfs says): they describe the exporter,
// not the host, so they are not read through the kernel view. What cannot be
// read is left out.
std::vector<prometheus::MetricFamily> ProcessFamilies();

}  // namespace nfce

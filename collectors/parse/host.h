// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// MemTotal of /proc/meminfo, in bytes.
absl::StatusOr<uint64_t> ParseMemTotalBytes(absl::string_view meminfo);

// The CPUs /proc/stat lists ("cpu0", "cpu1", ...; not the "cpu" total).
int CountCpus(absl::string_view proc_stat);

// The first field of /proc/uptime: seconds since boot.
std::optional<double> ParseUptimeSeconds(absl::string_view uptime);

// A kernel release ("6.18.0-foo") as {major, minor}; {0, 0} if it does not
// parse.
std::pair<int, int> KernelVersion(absl::string_view release);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/kernel/counter_wrap.h"
#include "collectors/kernel/kernel_view.h"

namespace nfce {

// What the stat collector and the status page share, so that both extend the
// same readings past the same 32-bit wraps, and agree.
struct StatState {
  std::mutex mu;
  WrapTracker wraps;
  std::string source;              // of the last reading
  uint64_t module_generation = 0;  // of the last reading
  uint64_t file_generation = 0;    // of the last reading
};

struct StatOptions {
  StatSource source = StatSource::kAuto;
  bool per_cpu = false;  // a `cpu` label instead of the sum over CPUs
  std::shared_ptr<StatState> state = std::make_shared<StatState>();
};

// The counters, 64-bit: extended past each per-CPU 32-bit wrap, and counted
// from zero again after a module reload.
struct StatCounters {
  std::string source;  // "procfs" or "ctnetlink"
  std::vector<std::string> names;
  std::vector<int> cpus;
  std::vector<std::vector<uint64_t>> per_cpu;  // [cpu][counter]
  std::vector<uint64_t> totals;                // [counter], over CPUs
};

// Reads the counters through `view` and extends them with `options.state`.
// A module reload resets them; it is seen as the module absent in between
// (the scraper's `module_generation` changed; callers that do not watch the
// module pass nullopt), the stat file recreated, or the counters of a CPU
// dropping together (WrapTracker::LooksLikeRestart). A fresh state (the
// doctor run on its own) gives the raw sums.
absl::StatusOr<StatCounters> ReadStatCounters(
    const KernelView& view, ConntrackFlavor flavor, const StatOptions& options,
    std::optional<uint64_t> module_generation = std::nullopt);

}  // namespace nfce

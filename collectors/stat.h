// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "collectors/counter_wrap.h"
#include "collectors/paths.h"
#include "collectors/stat_parser.h"

namespace nfce {

enum class StatSource {
  kAuto,     // the proc file where it exists, ctnetlink otherwise
  kProcfs,   // only <procfs>/net/stat/nf_conntrack
  kNetlink,  // only ctnetlink (needs CAP_NET_ADMIN)
};

absl::StatusOr<StatSource> ParseStatSource(absl::string_view text);

// Reads the per-CPU counters from the source `source` asks for (auto: the
// proc file where it exists, ctnetlink otherwise) and names the one used
// ("procfs" or "ctnetlink") in `used`. Never asks ctnetlink unless conntrack
// is already loaded. `file_generation`, if given, changes whenever the proc
// file had to be opened afresh (the kernel recreated it: a module reload).
absl::StatusOr<StatSnapshot> ReadStatSnapshot(
    const Paths& paths, ConntrackFlavor flavor, StatSource source,
    absl::string_view* used, uint64_t* file_generation = nullptr);

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

// Reads the counters and extends them with `options.state`. A module reload
// resets them; it is seen as the module absent in between (the scraper's
// `module_generation` changed; callers that do not watch the module pass
// nullopt), the stat file recreated, or the counters of a CPU dropping
// together (WrapTracker::LooksLikeRestart). A fresh state (the doctor run on
// its own) gives the raw sums.
absl::StatusOr<StatCounters> ReadStatCounters(
    const Paths& paths, ConntrackFlavor flavor, const StatOptions& options,
    std::optional<uint64_t> module_generation = std::nullopt);

// The kernel's per-CPU conntrack counters as nf_conntrack_stat_<name>_total.
class StatCollector : public Collector {
 public:
  StatCollector(Paths paths, StatOptions options)
      : paths_(std::move(paths)), options_(options) {}
  absl::string_view Name() const override { return "stat"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  const Paths paths_;
  const StatOptions options_;
};

}  // namespace nfce

#pragma once

#include <mutex>

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
// is already loaded.
absl::StatusOr<StatSnapshot> ReadStatSnapshot(const Paths& paths,
                                              ConntrackFlavor flavor,
                                              StatSource source,
                                              absl::string_view* used);

struct StatOptions {
  StatSource source = StatSource::kAuto;
  bool per_cpu = false;  // a `cpu` label instead of the sum over CPUs
};

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
  std::mutex mu_;  // concurrent scrapes share the wrap state
  WrapTracker wraps_;
  std::string last_source_;
};

}  // namespace nfce

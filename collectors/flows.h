#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectors/collector.h"
#include "collectors/flow_parser.h"

namespace nfce {

// Counts entries by family, protocol, state and zone. Beyond the default
// zone 0, the first `max_zones` zones seen get their own label and the rest
// count as zone "other", so the number of series stays bounded whatever the
// table holds.
class FlowAggregator {
 public:
  // (family, protocol, state, zone); zone -1 stands for "other".
  using Key =
      std::tuple<absl::string_view, absl::string_view, absl::string_view, int>;
  explicit FlowAggregator(int max_zones) : max_zones_(max_zones) {}

  void Add(const FlowKey& flow);
  // The counts by label values (protocols without a label of their own
  // merged into "other").
  std::map<Key, uint64_t> Counts() const;
  uint64_t total() const { return total_; }

 private:
  static constexpr uint32_t kOtherZone = 0x10000;
  int max_zones_;
  std::set<uint16_t> zones_;
  // Keyed by the raw values packed into one integer: Add() runs once per
  // entry of the table, and this keeps it to one hash lookup.
  std::unordered_map<uint64_t, uint64_t> raw_;
  uint64_t total_ = 0;
};

// One dump of the whole table of this network namespace, aggregated.
absl::StatusOr<FlowAggregator> DumpFlows(int max_zones, absl::Time deadline);

struct FlowsOptions {
  absl::Duration interval = absl::Seconds(30);  // between refreshes
  absl::Duration budget = absl::Seconds(10);    // one refresh at most
  int max_zones = 16;
};

// nf_conntrack_flows{family,protocol,state,zone}. Dumping the table is O(n),
// so it runs on a background thread, one refresh at a time, and a scrape
// serves the latest result with its age; a scrape never waits for a dump.
class FlowsCollector : public Collector {
 public:
  explicit FlowsCollector(FlowsOptions options);
  ~FlowsCollector() override;
  absl::string_view Name() const override { return "flows"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  void Run();
  void RefreshOnce();

  const FlowsOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::optional<std::map<FlowAggregator::Key, uint64_t>> latest_;
  absl::Time latest_time_;
  double last_duration_seconds_ = 0;
  absl::Status last_status_;  // of the last refresh attempt
  std::thread thread_;        // last: starts once the rest is set up
};

}  // namespace nfce

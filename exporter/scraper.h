// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collectors/collector.h"
#include "collectors/kernel/kernel_view.h"
#include "prometheus/collectable.h"

namespace nfce {

// Runs every enabled collector at scrape time and adds the exporter's own
// metrics: per-collector success and duration, module state, build info.
class Scraper : public prometheus::Collectable {
 public:
  Scraper(std::shared_ptr<const KernelView> view,
          std::vector<std::unique_ptr<Collector>> collectors);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  // Logs once each time the module appears or disappears; returns the
  // module generation (how many times it has appeared).
  uint64_t NoteModuleState(ConntrackFlavor flavor) const;

  // Logs a collector's error at error level when it is new or changed, and
  // its recovery; a failure that repeats every scrape goes to debug.
  void NoteCollectorStatus(const std::string& name,
                           const absl::Status& status) const;

  const std::shared_ptr<const KernelView> view_;
  const std::vector<std::unique_ptr<Collector>> collectors_;
  mutable std::atomic<int> last_flavor_{-1};
  mutable std::atomic<uint64_t> generation_{0};
  mutable std::atomic<size_t> families_last_{0};  // see Collect
  mutable std::mutex errors_mu_;
  mutable std::map<std::string, std::string> last_error_;  // by collector
};

}  // namespace nfce

#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "collectors/collector.h"
#include "collectors/paths.h"
#include "prometheus/collectable.h"

namespace nfce {

// Runs every enabled collector at scrape time and adds the exporter's own
// metrics: per-collector success and duration, module state, build info.
class Scraper : public prometheus::Collectable {
 public:
  Scraper(Paths paths, std::vector<std::unique_ptr<Collector>> collectors);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  // Logs once each time the module appears or disappears.
  void NoteModuleState(ConntrackFlavor flavor) const;

  const Paths paths_;
  const std::vector<std::unique_ptr<Collector>> collectors_;
  mutable std::atomic<int> last_flavor_{-1};
};

}  // namespace nfce

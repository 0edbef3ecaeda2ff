#include "exporter/collector_registry.h"

#include "collectors/slab.h"
#include "collectors/stat.h"
#include "collectors/table.h"
#include "collectors/timeouts.h"
#include "exporter/flags.h"

namespace nfce {

const std::vector<CollectorInfo>& KnownCollectors() {
  static const auto* kCollectors = new std::vector<CollectorInfo>{
      {"table", "entries, limit, buckets and load of the conntrack table",
       "none", true},
      {"stat", "kernel counters: drop, early_drop, insert_failed, ...",
       "none with /proc/net/stat/nf_conntrack; CAP_NET_ADMIN for ctnetlink",
       true},
      {"slab", "slab memory of the conntrack cache and what a full table costs",
       "root (or CAP_DAC_READ_SEARCH) to read /proc/slabinfo", true},
      {"timeouts", "per-protocol, per-state timeout sysctls", "none", true},
  };
  return *kCollectors;
}

std::vector<std::unique_ptr<Collector>> BuildCollectors(
    const Options& options) {
  std::vector<std::unique_ptr<Collector>> out;
  for (const CollectorInfo& info : KnownCollectors()) {
    if (!options.collectors.at(std::string(info.name))) continue;
    if (info.name == "table") {
      out.push_back(std::make_unique<TableCollector>(options.paths));
    } else if (info.name == "stat") {
      out.push_back(
          std::make_unique<StatCollector>(options.paths, options.stat));
    } else if (info.name == "slab") {
      out.push_back(std::make_unique<SlabCollector>(options.paths));
    } else if (info.name == "timeouts") {
      out.push_back(std::make_unique<TimeoutsCollector>(options.paths));
    }
  }
  return out;
}

}  // namespace nfce

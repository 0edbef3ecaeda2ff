// SPDX-License-Identifier: Apache-2.0
#include "exporter/collector_registry.h"

#include "collectors/events.h"
#include "collectors/flows.h"
#include "collectors/netns.h"
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
      {"flows",
       "entries by family, protocol, state and zone, from a table dump on a "
       "background thread (O(n) kernel work per refresh)",
       "CAP_NET_ADMIN", false},
      {"events",
       "new and destroyed entries from ctnetlink events (the kernel then "
       "keeps ~128 bytes more per entry)",
       "CAP_NET_ADMIN", false},
      {"netns", "entries of every network namespace",
       "CAP_SYS_ADMIN (setns) and read access to /proc/<pid>/ns/net", false},
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
      out.push_back(std::make_unique<TimeoutsCollector>(
          options.paths, options.timeouts_max_age));
    } else if (info.name == "flows") {
      out.push_back(
          std::make_unique<FlowsCollector>(options.paths, options.flows));
    } else if (info.name == "events") {
      out.push_back(std::make_unique<EventsCollector>(options.events));
    } else if (info.name == "netns") {
      out.push_back(
          std::make_unique<NetnsCollector>(options.paths, options.netns));
    }
  }
  return out;
}

}  // namespace nfce

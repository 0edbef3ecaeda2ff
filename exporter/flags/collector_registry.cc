// SPDX-License-Identifier: Apache-2.0
#include "exporter/flags/collector_registry.h"

#include "absl/strings/str_cat.h"
#include "collectors/expect.h"
#include "collectors/slab.h"
#include "collectors/stat.h"
#include "collectors/table.h"

namespace nfce {
namespace {

using Flags = std::vector<FlagSpec>;
using ViewPtr = std::shared_ptr<const KernelView>;

Flags NoFlags(Options*) { return {}; }

// --collector.<name>.source: the proc file, ctnetlink, or the first where
// the file is absent.
FlagSpec SourceFlag(const std::string& collector, StatSource* source,
                    const std::string& help) {
  return ChoiceFlag<StatSource>(
      absl::StrCat("collector.", collector, ".source"), source,
      {{"auto", StatSource::kAuto},
       {"procfs", StatSource::kProcfs},
       {"netlink", StatSource::kNetlink}},
      help);
}

}  // namespace

const std::vector<CollectorEntry>& KnownCollectors() {
  static const auto* kCollectors = new std::vector<CollectorEntry>{
      {"table", "Entries, limit, buckets and load of the conntrack table",
       "none", true, NoFlags,
       [](const Options&, ViewPtr) {
         return std::make_unique<TableCollector>();
       }},
      {"stat",
       "The kernel's counters: drop, early_drop, insert_failed and the rest",
       "none with /proc/net/stat/nf_conntrack; CAP_NET_ADMIN for ctnetlink",
       true,
       [](Options* o) {
         return Flags{
             SourceFlag("stat", &o->stat.source,
                        "auto: /proc/net/stat/nf_conntrack where it exists, "
                        "else ctnetlink; procfs: the file only; netlink: "
                        "ctnetlink only (CAP_NET_ADMIN)."),
             BoolFlag("collector.stat.per-cpu", &o->stat.per_cpu,
                      "Label each stat counter with its cpu instead of "
                      "summing over CPUs.")};
       },
       [](const Options& o, ViewPtr) {
         return std::make_unique<StatCollector>(o.stat);
       }},
      {"expect",
       "The expectation table of helpers (FTP, SIP, H.323, TFTP...): its "
       "entries and limit",
       "none with /proc/net/nf_conntrack_expect; CAP_NET_ADMIN for ctnetlink",
       true,
       [](Options* o) {
         return Flags{SourceFlag(
             "expect", &o->expect.source,
             "auto: count the lines of /proc/net/nf_conntrack_expect where "
             "it exists, else a ctnetlink dump of the expectations; procfs: "
             "the file only; netlink: ctnetlink only (CAP_NET_ADMIN).")};
       },
       [](const Options& o, ViewPtr) {
         return std::make_unique<ExpectCollector>(o.expect);
       }},
      {"slab", "Slab memory of the conntrack cache and what a full table costs",
       "root (or CAP_DAC_READ_SEARCH) to read /proc/slabinfo", true, NoFlags,
       [](const Options&, ViewPtr) {
         return std::make_unique<SlabCollector>();
       }},
      {"timeouts", "The timeout sysctls, by protocol and state", "none", true,
       [](Options* o) {
         return Flags{DurationFlag(
             "collector.timeouts.max-age", &o->timeouts.max_age,
             absl::ZeroDuration(), absl::InfiniteDuration(),
             "Reread the timeout sysctls at most this often (0s: every "
             "scrape).")};
       },
       [](const Options& o, ViewPtr) {
         return std::make_unique<TimeoutsCollector>(o.timeouts);
       }},
      {"flows",
       "Entries by family, protocol, state and zone, top sources and "
       "destinations and idle times, from a table dump on a background "
       "thread (O(n) kernel work per refresh)",
       "CAP_NET_ADMIN", false,
       [](Options* o) {
         return Flags{
             DurationFlag("collector.flows.interval", &o->flows.interval,
                          absl::Seconds(1), absl::InfiniteDuration(),
                          "Time between two dumps of the table (off the "
                          "scrape path)."),
             DurationFlag("collector.flows.budget", &o->flows.budget,
                          absl::Seconds(1), absl::InfiniteDuration(),
                          "Longest a dump may take; a longer one is "
                          "abandoned."),
             IntFlag("collector.flows.max-zones", &o->flows.max_zones, 0, 65536,
                     "Zones besides the default 0 with series of their own; "
                     "the rest count as zone \"other\"."),
             IntFlag("collector.flows.top", &o->flows.top, 0, 1000,
                     "Top sources, destinations and source-NAT tuples "
                     "reported (0: none). Counted in a sketch of 6144 counters "
                     "each (64 x top, rounded up, beyond top 96): exact while "
                     "the distinct keys "
                     "fit, memory bounded whatever the table holds."),
             IntFlag("collector.flows.snat-ports", &o->flows.snat_ports, 1,
                     65535,
                     "Source ports one source-NAT tuple can use: the "
                     "kernel's 1024-65535 when the SNAT or masquerade rule "
                     "names no range, else the size of the range (to "
                     ":20000-20099 is 100). A dump does not show it."),
             NumberFlag("collector.flows.max-cpu", &o->flows.max_cpu, 0, 1,
                        "Share of one CPU the dumps may take (the kernel's "
                        "work included): a dump that costs more stretches "
                        "the interval (0: no bound).")};
       },
       [](const Options& o, ViewPtr view) {
         return std::make_unique<FlowsCollector>(std::move(view), o.flows);
       }},
      {"events",
       "New and destroyed entries from ctnetlink events (the kernel then "
       "keeps about 128 bytes more per entry)",
       "CAP_NET_ADMIN", false,
       [](Options* o) {
         return Flags{IntFlag("collector.events.buffer-bytes",
                              &o->events.buffer_bytes, 4096, 1 << 30,
                              "Receive buffer of the event socket.")};
       },
       [](const Options& o, ViewPtr view) {
         return std::make_unique<EventsCollector>(std::move(view), o.events);
       }},
      {"netns",
       "Entries of every network namespace, and who lives there: hostname, "
       "pod and container, addresses",
       "CAP_SYS_ADMIN (setns), the host's PID namespace (hostPID in a "
       "DaemonSet) and read access to /proc/<pid>/ns/net",
       false,
       [](Options* o) {
         return Flags{
             IntFlag("collector.netns.max", &o->netns.max, 1, 100000,
                     "Network namespaces reported at most."),
             IntFlag("collector.netns.max-addresses", &o->netns.max_addresses,
                     0, 1000,
                     "Addresses of each namespace in "
                     "nf_conntrack_address_info at most."),
             DurationFlag("collector.netns.interval", &o->netns.interval,
                          absl::Seconds(1), absl::InfiniteDuration(),
                          "Time between two namings of the namespaces "
                          "(hostname, pod, container, addresses; off the "
                          "scrape path).")};
       },
       [](const Options& o, ViewPtr view) {
         return std::make_unique<NetnsCollector>(std::move(view), o.netns);
       }},
  };
  return *kCollectors;
}

std::vector<std::unique_ptr<Collector>> BuildCollectors(
    const Options& options, std::shared_ptr<const KernelView> view) {
  std::vector<std::unique_ptr<Collector>> out;
  for (const CollectorEntry& c : KnownCollectors()) {
    if (options.collectors.at(std::string(c.name))) {
      out.push_back(c.make(options, view));
    }
  }
  return out;
}

}  // namespace nfce

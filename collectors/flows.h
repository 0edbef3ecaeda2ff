// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectors/collector.h"
#include "collectors/makeup/table_makeup.h"
#include "collectors/periodic_task.h"

namespace nfce {

// The latest successful dump, shared by the flows collector (which writes
// it) and the status page (which reads it), so a page view never dumps.
class MakeupBoard {
 public:
  struct Entry {
    std::shared_ptr<const TableMakeup> makeup;  // null before the first dump
    absl::Time time;
    absl::Duration interval;  // between refreshes, as stretched to max_cpu
    absl::Duration asked;     // --collector.flows.interval
    absl::Duration cpu;       // the dump's CPU time, the kernel's included
  };
  // Publishes `makeup` with what `entry` says of its dump.
  void Publish(TableMakeup makeup, Entry entry);
  Entry Latest() const;

 private:
  mutable std::mutex mu_;
  Entry latest_;
};

struct FlowsOptions {
  absl::Duration interval = absl::Seconds(30);  // between refreshes
  absl::Duration budget = absl::Seconds(10);    // one refresh at most
  int max_zones = 16;
  int top = 10;  // K of the top sources, destinations, SNAT tuples; 0: off
  // Source ports a source-NAT tuple can use: the kernel's own range, or a
  // rule's with --to-ports/"to :a-b" (b - a + 1), which a dump does not show.
  int snat_ports = kKernelSnatPorts;
  // Share of one CPU the refreshes may take: a dump that costs more
  // stretches the interval (0: no bound).
  double max_cpu = 0.05;
  std::shared_ptr<MakeupBoard> board = std::make_shared<MakeupBoard>();
};

// The pause before the next refresh: `interval`, or longer where the last
// refresh (`cpu` of CPU time over `wall`) would otherwise take more than
// `max_cpu` of one CPU from one refresh's start to the next.
absl::Duration RefreshPause(absl::Duration interval, absl::Duration cpu,
                            absl::Duration wall, double max_cpu);

// nf_conntrack_flows{family,protocol,state,zone}, the top sources and
// destinations, and how long established entries have been idle. Dumping the
// table is O(n), so it runs on a background thread, one refresh at a time,
// and a scrape serves the latest result with its age; a scrape never waits
// for a dump.
class FlowsCollector : public Collector {
 public:
  FlowsCollector(std::shared_ptr<const KernelView> view, FlowsOptions options);
  absl::string_view Name() const override { return "flows"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  absl::Duration RefreshOnce();  // returns the pause before the next

  const std::shared_ptr<const KernelView> view_;
  const FlowsOptions options_;
  std::mutex mu_;
  double last_duration_seconds_ = 0;
  double last_cpu_seconds_ = 0;
  absl::Duration pause_;      // in use, after the last refresh
  absl::Status last_status_;  // of the last refresh attempt
  PeriodicTask refresh_;      // last: stops first
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/flows.h"

#include <time.h>

#include <algorithm>

#include "collectors/families.h"
#include "collectors/makeup_families.h"

namespace nfce {
namespace {

absl::Duration ThreadCpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return absl::DurationFromTimespec(t);
}

}  // namespace

void MakeupBoard::Publish(TableMakeup makeup, Entry entry) {
  entry.makeup = std::make_shared<const TableMakeup>(std::move(makeup));
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = std::move(entry);
}

absl::Duration RefreshPause(absl::Duration interval, absl::Duration cpu,
                            absl::Duration wall, double max_cpu) {
  if (max_cpu <= 0) return interval;
  // cpu / (wall + pause) <= max_cpu
  return std::max(interval, cpu / max_cpu - wall);
}

MakeupBoard::Entry MakeupBoard::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

FlowsCollector::FlowsCollector(std::shared_ptr<const KernelView> view,
                               FlowsOptions options)
    : view_(std::move(view)),
      options_(std::move(options)),
      pause_(options_.interval),
      refresh_([this] { return RefreshOnce(); }) {}

absl::Duration FlowsCollector::RefreshOnce() {
  absl::Time start = absl::Now();
  const absl::Duration cpu_start = ThreadCpu();
  MakeupOptions o;
  o.max_zones = options_.max_zones;
  o.top = options_.top;
  // Read with every dump: the idle times are measured against them.
  ReadIdleTimeouts(*view_, view_->Detect(), &o);
  absl::StatusOr<TableMakeup> makeup =
      DumpTableMakeup(*view_, o, start + options_.budget);
  absl::Time end = absl::Now();
  // The kernel serialises a dump while this thread receives it: its CPU
  // time is the dump's, user and system.
  const absl::Duration cpu = ThreadCpu() - cpu_start;
  const absl::Duration pause =
      RefreshPause(options_.interval, cpu, end - start, options_.max_cpu);
  if (makeup.ok()) {
    options_.board->Publish(*std::move(makeup),
                            {nullptr, end, pause, options_.interval, cpu});
  }
  std::lock_guard<std::mutex> lock(mu_);
  last_duration_seconds_ = absl::ToDoubleSeconds(end - start);
  last_cpu_seconds_ = absl::ToDoubleSeconds(cpu);
  pause_ = pause;
  last_status_ = makeup.status();
  return pause;
}

absl::Status FlowsCollector::Collect(
    const ScrapeContext&, std::vector<prometheus::MetricFamily>* out) {
  MakeupBoard::Entry latest = options_.board->Latest();
  if (const TableMakeup* m = latest.makeup.get()) {
    AppendMakeupFamilies(*m, options_.snat_ports, out);
    out->push_back(SingleGauge(
        "nf_conntrack_flows_last_refresh_timestamp_seconds",
        "When the flows were last dumped successfully (Unix time): the age of "
        "nf_conntrack_flows.",
        absl::ToDoubleSeconds(latest.time - absl::UnixEpoch())));
  }
  std::lock_guard<std::mutex> lock(mu_);
  out->push_back(
      SingleGauge("nf_conntrack_flows_refresh_duration_seconds",
                  "Time the last dump of the table took (successful or not).",
                  last_duration_seconds_));
  out->push_back(SingleGauge(
      "nf_conntrack_flows_refresh_cpu_seconds",
      "CPU time the last dump took, the kernel's serialising included.",
      last_cpu_seconds_));
  out->push_back(SingleGauge(
      "nf_conntrack_flows_refresh_interval_seconds",
      "Pause between two dumps in use: --collector.flows.interval, stretched "
      "so that dumps take at most --collector.flows.max-cpu of one CPU.",
      absl::ToDoubleSeconds(pause_)));
  return last_status_;
}

}  // namespace nfce

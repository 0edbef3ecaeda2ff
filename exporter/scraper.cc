// SPDX-License-Identifier: Apache-2.0
#include "exporter/scraper.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "exporter/log.h"
#include "exporter/process_metrics.h"
#include "exporter/version.h"

namespace nfce {

Scraper::Scraper(std::shared_ptr<const KernelView> view,
                 std::vector<std::unique_ptr<Collector>> collectors)
    : view_(std::move(view)), collectors_(std::move(collectors)) {}

uint64_t Scraper::NoteModuleState(ConntrackFlavor flavor) const {
  int now = static_cast<int>(flavor);
  int before = last_flavor_.exchange(now);
  if (before == now) return generation_.load();
  if (flavor != ConntrackFlavor::kNone) ++generation_;
  if (flavor == ConntrackFlavor::kNone) {
    Log(LogLevel::kWarn,
        "conntrack is not loaded: no conntrack sysctls under procfs; serving "
        "nf_conntrack_module_loaded 0 until it appears",
        {{"procfs", view_->paths().procfs}});
  } else {
    Log(LogLevel::kInfo, "conntrack found", {{"module", FlavorName(flavor)}});
  }
  return generation_.load();
}

void Scraper::NoteCollectorStatus(const std::string& name,
                                  const absl::Status& status) const {
  std::string error = status.ok() ? "" : status.ToString();
  std::string before;
  {
    std::lock_guard<std::mutex> lock(errors_mu_);
    before = std::exchange(last_error_[name], error);
  }
  if (status.ok()) {
    if (!before.empty()) {
      Log(LogLevel::kInfo, "collector recovered", {{"collector", name}});
    }
    return;
  }
  Log(error == before ? LogLevel::kDebug : LogLevel::kError, "collector failed",
      {{"collector", name}, {"err", error}});
}

std::vector<prometheus::MetricFamily> Scraper::Collect() const {
  ScrapeContext ctx(*view_);
  ctx.module_generation = NoteModuleState(ctx.flavor);

  std::vector<prometheus::MetricFamily> out;
  // Room for as many families as last time: growing the vector copies them
  // over and over, and its last allocations are large enough to make malloc
  // consolidate its free lists (docs/performance.md, "Figures behind the
  // code").
  out.reserve(families_last_.load(std::memory_order_relaxed));
  auto success = GaugeFamily(
      "nf_conntrack_scrape_collector_success",
      "1 if the collector read its source on this scrape, 0 if it failed (the "
      "log says why).");
  auto duration = GaugeFamily("nf_conntrack_scrape_collector_duration_seconds",
                              "Time the collector took on this scrape.");
  for (const auto& collector : collectors_) {
    auto start = std::chrono::steady_clock::now();
    absl::Status status;
    // Without the module there is nothing to read: that is a normal state,
    // shown by nf_conntrack_module_loaded, not a collector failure.
    if (ctx.flavor != ConntrackFlavor::kNone) {
      status = collector->Collect(ctx, &out);
    }
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - start;
    std::string name(collector->Name());
    NoteCollectorStatus(name, status);
    AddSample(&success, status.ok() ? 1 : 0, {{"collector", name}});
    AddSample(&duration, took.count(), {{"collector", name}});
  }

  auto loaded = GaugeFamily(
      "nf_conntrack_module_loaded",
      "1 if connection tracking is loaded (its sysctls exist), 0 if not.");
  AddSample(&loaded, ctx.flavor == ConntrackFlavor::kNone ? 0 : 1);
  auto build =
      GaugeFamily("nf_conntrack_exporter_build_info",
                  "Version and git revision of the exporter; always 1.");
  AddSample(&build, 1, {{"version", kVersion}, {"revision", kRevision}});
  for (auto* f : {&success, &duration, &loaded, &build}) {
    out.push_back(std::move(*f));
  }
  for (auto& f : ProcessFamilies()) out.push_back(std::move(f));
  // The caller adds its own (the HTTP request counter).
  families_last_.store(out.size() + 1, std::memory_order_relaxed);
  return out;
}

}  // namespace nfce

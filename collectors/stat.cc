// SPDX-License-Identifier: Apache-2.0
#include "collectors/stat.h"

#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "collectors/parse/counters.h"

namespace nfce {

absl::Status StatCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  absl::StatusOr<StatCounters> counters =
      ReadStatCounters(ctx.view, ctx.flavor, options_, ctx.module_generation);
  if (!counters.ok()) return counters.status();

  prometheus::MetricFamily info = GaugeFamily(
      "nf_conntrack_stat_source_info",
      "Where the stat counters came from: procfs (/proc/net/stat/nf_conntrack) "
      "or ctnetlink (as conntrack -S).");
  AddSample(&info, 1, {{"source", counters->source}});
  out->push_back(std::move(info));

  for (size_t i = 0; i < counters->names.size(); ++i) {
    const std::string& name = counters->names[i];
    prometheus::MetricFamily f = CounterFamily(
        absl::StrCat("nf_conntrack_stat_", name, "_total"), CounterHelp(name));
    if (options_.per_cpu) {
      for (size_t c = 0; c < counters->cpus.size(); ++c) {
        AddSample(&f, static_cast<double>(counters->per_cpu[c][i]),
                  {{"cpu", absl::StrCat(counters->cpus[c])}});
      }
    } else {
      AddSample(&f, static_cast<double>(counters->totals[i]));
    }
    out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "collectors/collector.h"
#include "collectors/kernel/stat_reader.h"

namespace nfce {

// The kernel's per-CPU conntrack counters as nf_conntrack_stat_<name>_total.
class StatCollector : public Collector {
 public:
  explicit StatCollector(StatOptions options) : options_(std::move(options)) {}
  absl::string_view Name() const override { return "stat"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  const StatOptions options_;
};

}  // namespace nfce

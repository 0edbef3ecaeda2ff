// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "collectors/module.h"
#include "collectors/paths.h"

namespace nfce {

// Reads max, and buckets from the sysctl or, where that is absent (old
// kernels), from the module's hashsize parameter.
absl::StatusOr<TableLimits> ReadTableLimits(const Paths& paths,
                                            ConntrackFlavor flavor);

// The same, read once per scrape: the first call fills ctx.limits.
const absl::StatusOr<TableLimits>& TableLimitsOf(const Paths& paths,
                                                 const ScrapeContext& ctx);

// nf_conntrack_entries, _entries_limit, _buckets and _bucket_load.
class TableCollector : public Collector {
 public:
  explicit TableCollector(Paths paths) : paths_(std::move(paths)) {}
  absl::string_view Name() const override { return "table"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  Paths paths_;
};

}  // namespace nfce

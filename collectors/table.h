// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "collectors/module.h"
#include "collectors/paths.h"

namespace nfce {

// The table's size, which the slab collector needs too (entries it does not).
struct TableLimits {
  uint64_t limit = 0;  // 0 means "no limit" on kernels up to 6.18
  // Separate status: hashsize is root-only, and buckets may be unreadable
  // while count and max are fine.
  absl::StatusOr<uint64_t> buckets = uint64_t{0};
};

// Reads max, and buckets from the sysctl or, where that is absent (old
// kernels), from the module's hashsize parameter.
absl::StatusOr<TableLimits> ReadTableLimits(const Paths& paths,
                                            ConntrackFlavor flavor);

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

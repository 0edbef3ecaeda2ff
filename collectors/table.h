// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "collectors/collector.h"

namespace nfce {

// nf_conntrack_entries, _entries_limit, _buckets and _bucket_load.
class TableCollector : public Collector {
 public:
  absl::string_view Name() const override { return "table"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;
};

}  // namespace nfce

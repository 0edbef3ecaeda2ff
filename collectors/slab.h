// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "collectors/collector.h"

namespace nfce {

// nf_conntrack_slab_* per conntrack slab cache, and
// nf_conntrack_memory_limit_bytes.
class SlabCollector : public Collector {
 public:
  absl::string_view Name() const override { return "slab"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;
};

}  // namespace nfce

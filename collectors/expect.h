// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "collectors/collector.h"

namespace nfce {

struct ExpectOptions {
  StatSource source = StatSource::kAuto;
};

// nf_conntrack_expect_entries and _entries_limit: the expectation table
// that helpers (FTP, SIP, H.323, TFTP...) fill, with a limit of its own.
// Its cost follows the expectations, not the conntrack entries.
class ExpectCollector : public Collector {
 public:
  explicit ExpectCollector(ExpectOptions options) : options_(options) {}
  absl::string_view Name() const override { return "expect"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  const ExpectOptions options_;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "collectors/collector.h"

namespace nfce {

struct NetnsOptions {
  int max = 64;  // namespaces reported at most
};

// nf_conntrack_netns_entries{netns}: the entries of every network namespace,
// read inside each (KernelView::CountsInside); the exporter's own threads
// never change namespace. Needs CAP_SYS_ADMIN.
class NetnsCollector : public Collector {
 public:
  explicit NetnsCollector(NetnsOptions options) : options_(options) {}
  absl::string_view Name() const override { return "netns"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  const NetnsOptions options_;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/netns.h"

#include "collectors/families.h"

namespace nfce {

absl::Status NetnsCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  std::vector<NetnsRef> refs = ctx.view.NetworkNamespaces();
  out->push_back(SingleGauge(
      "nf_conntrack_netns_found",
      "Network namespaces found (named under /run/netns, or of a process); "
      "at most --collector.netns.max of them are reported.",
      static_cast<double>(refs.size())));
  if (static_cast<int>(refs.size()) > options_.max) refs.resize(options_.max);

  std::vector<absl::StatusOr<uint64_t>> counts = ctx.view.CountsInside(refs);
  auto family = GaugeFamily(
      "nf_conntrack_netns_entries",
      "Conntrack entries of each network namespace, labelled with its name "
      "under /run/netns or else its inode. Each is compared with the global "
      "nf_conntrack_max on its own.");
  absl::Status status;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (counts[i].ok()) {
      AddSample(&family, static_cast<double>(*counts[i]),
                {{"netns", refs[i].label}});
    } else if (!absl::IsNotFound(counts[i].status())) {
      status.Update(counts[i].status());  // a process that exited
    }                                     // is not a failure
  }
  out->push_back(std::move(family));
  return status;
}

}  // namespace nfce

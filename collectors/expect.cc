// SPDX-License-Identifier: Apache-2.0
#include "collectors/expect.h"

#include "collectors/families.h"

namespace nfce {

absl::Status ExpectCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  // The limit first: a kernel without nf_conntrack_expect_max (ip_conntrack)
  // still has expectations to count.
  absl::StatusOr<uint64_t> limit = ctx.view.ExpectLimit(ctx.flavor);
  if (limit.ok()) {
    out->push_back(SingleGauge(
        "nf_conntrack_expect_entries_limit",
        "Most expectations the expectation table may hold "
        "(nf_conntrack_expect_max), applied to each network namespace "
        "separately. When it is full the kernel logs \"expectation table "
        "full\" and helpers' data connections (FTP, SIP...) fail.",
        static_cast<double>(*limit)));
  } else if (!absl::IsNotFound(limit.status())) {
    return limit.status();
  }

  absl::string_view source;
  absl::StatusOr<uint64_t> entries =
      ctx.view.ExpectEntries(ctx.flavor, options_.source, &source);
  if (!entries.ok()) return entries.status();
  prometheus::MetricFamily info = GaugeFamily(
      "nf_conntrack_expect_source_info",
      "Where nf_conntrack_expect_entries came from: procfs "
      "(/proc/net/nf_conntrack_expect) or ctnetlink (as conntrack -L "
      "expect).");
  AddSample(&info, 1, {{"source", std::string(source)}});
  out->push_back(std::move(info));
  out->push_back(SingleGauge(
      "nf_conntrack_expect_entries",
      "Expectations in this network namespace: connections that helpers "
      "(FTP, SIP, H.323, TFTP...) announced and the kernel waits for.",
      static_cast<double>(*entries)));
  return absl::OkStatus();
}

}  // namespace nfce

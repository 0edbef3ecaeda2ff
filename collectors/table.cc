// SPDX-License-Identifier: Apache-2.0
#include "collectors/table.h"

#include "collectors/families.h"

namespace nfce {

absl::Status TableCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  if (!ctx.entries.ok()) return ctx.entries.status();
  const uint64_t entries = *ctx.entries;
  const absl::StatusOr<TableLimits>& state = ctx.Limits();
  if (!state.ok()) return state.status();

  out->push_back(SingleGauge(
      "nf_conntrack_entries",
      "Entries in the connection tracking table of this network namespace "
      "(nf_conntrack_count), including expired ones not yet reaped.",
      static_cast<double>(entries)));
  out->push_back(SingleGauge(
      "nf_conntrack_entries_limit",
      "Most entries the table may hold (nf_conntrack_max), applied to each "
      "network namespace separately. 0 means no limit.",
      static_cast<double>(state->limit)));
  if (!state->buckets.ok()) return state->buckets.status();

  uint64_t buckets = *state->buckets;
  out->push_back(SingleGauge("nf_conntrack_buckets",
                             "Hash table buckets (nf_conntrack_buckets).",
                             static_cast<double>(buckets)));
  if (buckets == 0) {
    return absl::DataLossError("hash table size reads 0 buckets");
  }
  out->push_back(SingleGauge(
      "nf_conntrack_bucket_load",
      "Entries per hash bucket (entries / buckets). Each entry is hashed "
      "twice, original and reply direction, so the mean hash chain length is "
      "twice this.",
      static_cast<double>(entries) / static_cast<double>(buckets)));
  return absl::OkStatus();
}

}  // namespace nfce

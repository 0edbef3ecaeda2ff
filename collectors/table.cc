// SPDX-License-Identifier: Apache-2.0
#include "collectors/table.h"

#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "collectors/sysctl.h"

namespace nfce {

absl::StatusOr<TableLimits> ReadTableLimits(const Paths& paths,
                                            ConntrackFlavor flavor) {
  SysctlLocation loc = SysctlsOf(paths, flavor);
  TableLimits state;
  absl::StatusOr<uint64_t> max = ReadSysctlUint(loc.File("max"));
  if (!max.ok()) return max.status();
  state.limit = *max;

  state.buckets = ReadSysctlUint(loc.File("buckets"));
  if (!state.buckets.ok()) {
    std::string hashsize = paths.Sys(
        absl::StrCat("module/", ModuleName(flavor), "/parameters/hashsize"));
    absl::StatusOr<uint64_t> from_module = ReadSysctlUint(hashsize);
    if (from_module.ok()) {
      state.buckets = from_module;
    } else {
      state.buckets = absl::Status(
          from_module.status().code(),
          absl::StrCat("buckets unreadable: ", state.buckets.status().message(),
                       "; ", from_module.status().message()));
    }
  }
  return state;
}

const absl::StatusOr<TableLimits>& TableLimitsOf(const Paths& paths,
                                                 const ScrapeContext& ctx) {
  if (!ctx.limits) ctx.limits = ReadTableLimits(paths, ctx.flavor);
  return *ctx.limits;
}

absl::Status TableCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  absl::StatusOr<uint64_t> entries =
      ctx.entries ? *ctx.entries
                  : ReadSysctlUint(SysctlsOf(paths_, ctx.flavor).File("count"));
  if (!entries.ok()) return entries.status();
  const absl::StatusOr<TableLimits>& state = TableLimitsOf(paths_, ctx);
  if (!state.ok()) return state.status();

  out->push_back(SingleGauge(
      "nf_conntrack_entries",
      "Entries in the connection tracking table of this network namespace "
      "(nf_conntrack_count), including expired ones not yet reaped.",
      static_cast<double>(*entries)));
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
      static_cast<double>(*entries) / static_cast<double>(buckets)));
  return absl::OkStatus();
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "collectors/paths.h"
#include "collectors/slab_parser.h"

namespace nfce {

// Used for the memory estimate where /proc/slabinfo cannot be read (it is
// root-only): the aligned size of struct nf_conn on x86_64 6.x kernels.
inline constexpr uint64_t kDefaultConntrackObjectSize = 256;

// The conntrack slab caches: SLUB's /sys/kernel/slab/<cache> where it
// exists, else the matching rows of /proc/slabinfo.
absl::StatusOr<std::vector<SlabCache>> ReadConntrackCaches(const Paths& paths);

// The object size of the table's own cache: the exact name where it exists,
// else the largest of the per-namespace caches.
uint64_t ObjectSize(const std::vector<SlabCache>& caches);

// Memory a cache holds: slabs x pages per slab x page size.
double SlabBytes(const SlabCache& cache);

// Kernel memory a table filled to `limit` costs: the entries' slab objects
// plus the bucket array of pointers.
double MemoryLimitBytes(uint64_t limit, uint64_t buckets, uint64_t objsize);

// nf_conntrack_slab_* per cache from /proc/slabinfo, and
// nf_conntrack_memory_limit_bytes.
class SlabCollector : public Collector {
 public:
  explicit SlabCollector(Paths paths) : paths_(std::move(paths)) {}
  absl::string_view Name() const override { return "slab"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  Paths paths_;
};

}  // namespace nfce

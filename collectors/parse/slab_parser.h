// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

struct SlabCache {
  std::string name;
  uint64_t active_objs = 0;
  uint64_t num_objs = 0;
  uint64_t objsize = 0;  // aligned object size in bytes
  uint64_t objperslab = 0;
  uint64_t pagesperslab = 0;
  uint64_t active_slabs = 0;
  uint64_t num_slabs = 0;
  uint64_t page_size = 4096;  // of the kernel the cache belongs to
};

// Used for the memory estimate where the slab cache cannot be read (it is
// root-only): the aligned size of struct nf_conn on x86_64 6.x kernels.
inline constexpr uint64_t kDefaultConntrackObjectSize = 256;

// The object size of the table's own cache: the exact name where it exists,
// else the largest of the per-namespace caches.
uint64_t ObjectSize(const std::vector<SlabCache>& caches);

// Memory a cache holds: slabs x pages per slab x page size.
double SlabBytes(const SlabCache& cache);

// Kernel memory a table filled to `limit` costs: the entries' slab objects
// plus the bucket array of pointers.
double MemoryLimitBytes(uint64_t limit, uint64_t buckets, uint64_t objsize,
                        uint64_t pointer_size = sizeof(void*));

// AT_PAGESZ from an auxiliary vector (/proc/<pid>/auxv: native-endian
// pairs of 64-bit words, type then value); nullopt if absent or malformed.
std::optional<uint64_t> ParseAuxvPageSize(absl::string_view auxv);

// nf_conntrack, ip_conntrack (legacy) and the per-namespace caches
// nf_conntrack_<hex pointer> of about 2.6.31-4.6; not nf_conntrack_expect.
bool IsConntrackCache(absl::string_view name);

// Parses /proc/slabinfo (version 2.x) and returns the conntrack caches.
absl::StatusOr<std::vector<SlabCache>> ParseSlabinfo(absl::string_view text);

// Parses one SLUB sysfs attribute (/sys/kernel/slab/<cache>/<name>): its
// first field, an unsigned number ("64 N0=64" -> 64).
absl::StatusOr<uint64_t> ParseSlabAttribute(absl::string_view text);

}  // namespace nfce

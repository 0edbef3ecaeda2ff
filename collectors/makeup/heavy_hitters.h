// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace nfce {

// The most frequent keys of a stream in a bounded number of counters: the
// Misra-Gries summary with batched purges (as Apache DataSketches'
// frequent_items, which Debian does not package). While at most `capacity`
// distinct keys have been seen every count is exact. When a new key finds
// the counters full, the median count is subtracted from every counter and
// the counters it empties are dropped; `bound()` sums those subtractions.
//
// Each counter also remembers the bound when its key (last) came in: every
// earlier occurrence of that key was subtracted away, so it can add at most
// that much. A key's true count therefore lies in [count - error, count]
// and a flagged sub-count (unreplied entries) in [flagged - error, flagged],
// both reported as their upper end. A key that holds no counter occurred at
// most bound() times; bound() is at most 2 x stream length / capacity.
//
// Cost per key is one hash probe; a purge costs O(capacity) and frees half
// the counters, so at most two probes per key in all. What this costs a dump
// is measured in docs/performance.md ("Top lists at millions of entries").
template <typename Key, typename Hash = absl::Hash<Key>>
class HeavyHitters {
 public:
  struct Counter {
    Key key;
    uint64_t count = 0;    // an upper bound of the key's occurrences
    uint64_t error = 0;    // count - error is a lower bound
    uint64_t flagged = 0;  // the same for those added with flag = true
  };

  // Memory is taken at the first Add, in one piece: a sketch that is never
  // used (no source-NAT entry in the table) costs nothing.
  explicit HeavyHitters(size_t capacity) : capacity_(capacity) {}

  void Add(const Key& key, bool flag = false) {
    ++total_;
    if (capacity_ == 0) return;
    if (counters_.capacity() == 0) {
      // Reserved so that purges never make the table grow or rehash.
      counters_.reserve(capacity_ + 1);
    }
    auto [it, inserted] = counters_.try_emplace(key);
    Slot& slot = it->second;
    if (inserted) {
      slot.error = Clamp(bound_);
      if (counters_.size() > capacity_) Purge(&slot);
    }
    ++slot.count;
    ++slot.added;
    slot.flagged += flag;
  }

  // The `k` keys with the largest least counts (count - error), largest
  // first, so that a key certainly above the noise is never cut for one
  // that may be noise; ties broken by count, then by `less` on keys so that
  // the order is stable from one dump to the next.
  template <typename Less>
  std::vector<Counter> Top(size_t k, Less less) const {
    std::vector<Counter> out;
    out.reserve(counters_.size());
    for (const auto& [key, s] : counters_) {
      out.push_back({key, uint64_t{s.added} + s.error, s.error,
                     uint64_t{s.flagged} + s.error});
    }
    auto larger = [&](const Counter& a, const Counter& b) {
      if (a.count - a.error != b.count - b.error) {
        return a.count - a.error > b.count - b.error;
      }
      if (a.count != b.count) return a.count > b.count;
      return less(a.key, b.key);
    };
    k = std::min(k, out.size());
    std::partial_sort(out.begin(), out.begin() + k, out.end(), larger);
    out.resize(k);
    return out;
  }

  // The most occurrences any one key can have had, held or not.
  uint64_t Largest() const {
    uint64_t largest = bound_;
    for (const auto& [key, s] : counters_) {
      largest = std::max<uint64_t>(largest, uint64_t{s.added} + s.error);
    }
    return largest;
  }

  uint64_t total() const { return total_; }
  size_t capacity() const { return capacity_; }
  // The most any count could be overstated by, and the most occurrences a
  // key that holds no counter can have had.
  uint64_t bound() const { return bound_; }
  // True while every count is exact: no purge happened.
  bool exact() const { return bound_ == 0; }
  size_t MemoryBytes() const {
    return counters_.capacity() * (sizeof(std::pair<const Key, Slot>) + 1) +
           sizeof(histogram_) + scratch_.capacity() * sizeof(uint32_t);
  }

 private:
  // 32-bit counts: a dump of more than 4 billion entries would need a
  // terabyte of kernel memory.
  struct Slot {
    uint32_t count = 0;    // decremented by purges: what decides eviction
    uint32_t added = 0;    // occurrences since the key came in
    uint32_t flagged = 0;  // of those, flagged
    uint32_t error = 0;    // bound_ when the key came in
  };
  static uint32_t Clamp(uint64_t v) {
    return static_cast<uint32_t>(
        std::min<uint64_t>(v, std::numeric_limits<uint32_t>::max()));
  }

  // Subtracts the median count from every counter but `keep` (the key that
  // found them full, not yet counted) and drops those it empties.
  void Purge(const Slot* keep) {
    const uint32_t d = MedianCount(keep);
    bound_ += d;
    absl::erase_if(counters_, [&](auto& kv) {
      Slot& s = kv.second;
      if (&s == keep) return false;
      if (s.count <= d) return true;
      s.count -= d;
      return false;
    });
  }

  // Counts are mostly small: a histogram finds their median in one pass;
  // only when it lies past the histogram are the counts selected.
  uint32_t MedianCount(const Slot* keep) {
    histogram_.fill(0);
    for (const auto& [key, s] : counters_) {
      if (&s != keep) ++histogram_[std::min<size_t>(s.count, kBins - 1)];
    }
    const size_t rank = (counters_.size() - 1) / 2;  // of the others
    size_t seen = 0;
    for (size_t bin = 0; bin + 1 < kBins; ++bin) {
      seen += histogram_[bin];
      if (seen > rank) return static_cast<uint32_t>(bin);
    }
    scratch_.clear();
    for (const auto& [key, s] : counters_) {
      if (&s != keep) scratch_.push_back(s.count);
    }
    auto mid = scratch_.begin() + static_cast<std::ptrdiff_t>(rank);
    std::nth_element(scratch_.begin(), mid, scratch_.end());
    return *mid;
  }

  static constexpr size_t kBins = 1024;
  size_t capacity_;
  absl::flat_hash_map<Key, Slot, Hash> counters_;
  std::vector<uint32_t> scratch_;
  std::array<uint32_t, kBins> histogram_{};
  uint64_t total_ = 0;
  uint64_t bound_ = 0;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace nfce {

// The Space-Saving sketch (Metwally, Agrawal, El Abbadi 2005): the most
// frequent keys of a stream in `capacity` counters, whatever the stream's
// length. While no more than `capacity` distinct keys have been seen every
// count is exact. Past that, a new key takes over the smallest counter and
// inherits its count as its `error`: a reported count overstates the truth
// by at most `error`, which is at most (stream length / capacity), and every
// key whose true count exceeds that bound is monitored.
//
// Counters live in a min-heap by count, so adding is O(log capacity) in the
// worst case and O(1) for the common increment that keeps the heap order.
// Written here because no Debian package carries a heavy-hitters sketch
// (Apache DataSketches' C++ frequent_items is not packaged); what it costs
// a dump is in docs/performance.md ("Figures behind the code").
template <typename Key, typename Hash = absl::Hash<Key>>
class SpaceSaving {
 public:
  struct Counter {
    Key key;
    uint64_t count = 0;
    uint64_t error = 0;  // count may overstate the truth by this much
    // Of `count`, those added with flag = true since this key took the
    // counter over (exact while error is 0, a lower bound otherwise).
    uint64_t flagged = 0;
  };

  // Memory is taken at the first Add, in one piece: a sketch that is never
  // used (no source-NAT entry in the table) costs nothing.
  explicit SpaceSaving(size_t capacity) : capacity_(capacity) {}

  // Counts one occurrence of `key`; `flag` counts it in `flagged` as well
  // (e.g. an unreplied entry), with the same error bound.
  void Add(const Key& key, bool flag = false) {
    ++total_;
    if (capacity_ == 0) return;
    if (counters_.capacity() == 0) {
      counters_.reserve(capacity_);
      heap_.reserve(capacity_);
      where_.reserve(capacity_);
      index_.reserve(capacity_);
    }
    // One lookup that inserts on a miss: in the eviction regime (every key
    // of the dump new) that saves a third of the hash table work.
    auto [it, inserted] = index_.try_emplace(key, 0);
    uint32_t c;
    if (!inserted) {
      c = it->second;
    } else if (counters_.size() < capacity_) {
      c = static_cast<uint32_t>(counters_.size());
      it->second = c;
      counters_.push_back({key, 0, 0, 0});
      heap_.push_back(c);
      where_.push_back(static_cast<uint32_t>(heap_.size() - 1));
      SiftUp(where_[c]);
    } else {
      c = heap_[0];  // the smallest counter: evict its key
      it->second = c;
      Counter& victim = counters_[c];
      index_.erase(victim.key);
      victim.key = key;
      victim.error = victim.count;
      victim.flagged = 0;
      ++evictions_;
    }
    Counter& counter = counters_[c];
    ++counter.count;
    if (flag) ++counter.flagged;
    SiftDown(where_[c]);
  }

  // The `k` largest counters, largest first; ties broken by `less` on keys
  // so that the order is stable from one dump to the next.
  template <typename Less>
  std::vector<Counter> Top(size_t k, Less less) const {
    std::vector<Counter> out(counters_.begin(), counters_.end());
    auto larger = [&](const Counter& a, const Counter& b) {
      if (a.count != b.count) return a.count > b.count;
      return less(a.key, b.key);
    };
    k = std::min(k, out.size());
    std::partial_sort(out.begin(), out.begin() + k, out.end(), larger);
    out.resize(k);
    return out;
  }

  uint64_t total() const { return total_; }
  size_t capacity() const { return capacity_; }
  size_t distinct_monitored() const { return counters_.size(); }
  // True while every count is exact: no key was ever evicted.
  bool exact() const { return evictions_ == 0; }
  // Bytes held: the counters, the heap and the hash index at capacity.
  size_t MemoryBytes() const {
    return counters_.capacity() * sizeof(Counter) +
           heap_.capacity() * sizeof(uint32_t) +
           where_.capacity() * sizeof(uint32_t) +
           index_.capacity() * (sizeof(std::pair<const Key, uint32_t>) + 1);
  }

 private:
  bool Smaller(uint32_t a, uint32_t b) const {
    return counters_[heap_[a]].count < counters_[heap_[b]].count;
  }
  void Swap(uint32_t a, uint32_t b) {
    std::swap(heap_[a], heap_[b]);
    where_[heap_[a]] = a;
    where_[heap_[b]] = b;
  }
  void SiftUp(uint32_t i) {
    while (i > 0) {
      uint32_t parent = (i - 1) / 2;
      if (!Smaller(i, parent)) break;
      Swap(i, parent);
      i = parent;
    }
  }
  void SiftDown(uint32_t i) {
    const uint32_t n = static_cast<uint32_t>(heap_.size());
    for (;;) {
      uint32_t smallest = i, l = 2 * i + 1, r = l + 1;
      if (l < n && Smaller(l, smallest)) smallest = l;
      if (r < n && Smaller(r, smallest)) smallest = r;
      if (smallest == i) break;
      Swap(i, smallest);
      i = smallest;
    }
  }

  size_t capacity_;
  std::vector<Counter> counters_;
  std::vector<uint32_t> heap_;   // counter indices, smallest count first
  std::vector<uint32_t> where_;  // counter index -> position in heap_
  absl::flat_hash_map<Key, uint32_t, Hash> index_;
  uint64_t total_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace nfce

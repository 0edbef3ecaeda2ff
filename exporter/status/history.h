// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/time/time.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/periodic_task.h"

namespace nfce {

// Entries and limit over the last hour, for the status page's chart: the
// one thing the exporter keeps on a timer, since a page needs history and
// scrapes come when they come. Bounded: `capacity` samples.
class History {
 public:
  struct Sample {
    absl::Time time;
    uint64_t entries = 0;
    uint64_t limit = 0;
  };
  explicit History(size_t capacity) : capacity_(capacity) {}
  void Add(Sample s);
  std::vector<Sample> Snapshot() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::deque<Sample> samples_;
};

// Samples the table into a History every `interval`, in the background.
class Sampler {
 public:
  Sampler(std::shared_ptr<const KernelView> view, History* history,
          absl::Duration interval);

 private:
  void SampleOnce();
  const std::shared_ptr<const KernelView> view_;
  History* history_;
  PeriodicTask task_;  // last: stops first
};

// Entries (line) against the limit (dashed) over the last hour, as inline
// SVG.
std::string Chart(const std::vector<History::Sample>& history, absl::Time now);

}  // namespace nfce

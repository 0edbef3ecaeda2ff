// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "collectors/paths.h"
#include "exporter/doctor/doctor.h"

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

// Samples the table into a History every `interval` on its own thread.
class Sampler {
 public:
  Sampler(Paths paths, History* history, absl::Duration interval);
  ~Sampler();

 private:
  void Run();
  const Paths paths_;
  History* history_;
  const absl::Duration interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the rest is set up
};

// The page at /: the doctor's diagnosis, a usage bar with the 75 / 90 %
// marks, the last hour's entries against the limit (inline SVG), counters,
// memory and recommendations. Self-contained HTML: no script, font or CDN,
// so it works on an air-gapped router; it reloads itself.
std::string RenderStatusPage(const HostFacts& facts, const Diagnosis& diagnosis,
                             const std::vector<History::Sample>& history,
                             const std::string& telemetry_path, absl::Time now);

}  // namespace nfce

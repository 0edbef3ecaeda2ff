// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nfce {

// Extends the kernel's 32-bit per-CPU counters to 64 bits. A per-CPU counter
// that wraps would otherwise make the CPU sum drop by 2^32, which Prometheus
// takes for a reset, turning rate() into nonsense.
class WrapTracker {
 public:
  // Returns the 64-bit running value of counter `name` on `cpu`, given the
  // latest raw 32-bit reading. The first reading is taken as it is.
  uint64_t Update(const std::string& name, int cpu, uint32_t raw);

  // True if this CPU's readings (`raw[i]` for counter `names[i]`) can only
  // be counters that started again from zero, as after a module reload: two
  // or more went down at once, or one went down further than a wrap between
  // two reads plausibly explains (the distance forward past 2^32 is 2^28 or
  // more). When in doubt it says restart: Prometheus handles a reset, while
  // a wrap wrongly assumed jumps every rate by 2^32.
  bool LooksLikeRestart(int cpu, const std::vector<std::string>& names,
                        const std::vector<uint32_t>& raw) const;

  // Forgets everything, e.g. when the module was reloaded and counters reset.
  void Reset() { state_.clear(); }

 private:
  struct State {
    uint32_t last_raw = 0;
    uint64_t total = 0;
  };
  std::map<std::pair<std::string, int>, State> state_;
};

}  // namespace nfce

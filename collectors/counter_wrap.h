#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace nfce {

// Extends the kernel's 32-bit per-CPU counters to 64 bits. A per-CPU counter
// that wraps would otherwise make the CPU sum drop by 2^32, which Prometheus
// takes for a reset, turning rate() into nonsense.
class WrapTracker {
 public:
  // Returns the 64-bit running value of counter `name` on `cpu`, given the
  // latest raw 32-bit reading. The first reading is taken as it is.
  uint64_t Update(const std::string& name, int cpu, uint32_t raw);

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

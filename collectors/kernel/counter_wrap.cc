// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/counter_wrap.h"

namespace nfce {

uint64_t WrapTracker::Update(const std::string& name, int cpu, uint32_t raw) {
  auto [it, inserted] = state_.try_emplace({name, cpu});
  State& s = it->second;
  if (inserted) {
    s.total = raw;
  } else {
    // Unsigned subtraction is the distance travelled modulo 2^32.
    s.total += static_cast<uint32_t>(raw - s.last_raw);
  }
  s.last_raw = raw;
  return s.total;
}

bool WrapTracker::LooksLikeRestart(int cpu,
                                   const std::vector<std::string>& names,
                                   const std::vector<uint32_t>& raw) const {
  // Events between two reads that a single wrap may account for: 2^28 is
  // 4.5 million a second for a minute on one CPU.
  constexpr uint32_t kPlausibleWrap = uint32_t{1} << 28;
  int down = 0;
  for (size_t i = 0; i < names.size() && i < raw.size(); ++i) {
    auto it = state_.find({names[i], cpu});
    if (it == state_.end() || raw[i] >= it->second.last_raw) continue;
    if (static_cast<uint32_t>(raw[i] - it->second.last_raw) >= kPlausibleWrap) {
      return true;
    }
    ++down;
  }
  return down >= 2;
}

}  // namespace nfce

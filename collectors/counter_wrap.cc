#include "collectors/counter_wrap.h"

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

}  // namespace nfce

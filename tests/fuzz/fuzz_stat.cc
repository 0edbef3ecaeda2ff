// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: /proc/net/stat/nf_conntrack parser.
#include <cstddef>
#include <cstdint>

#include "collectors/parse/stat_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<nfce::StatSnapshot> s = nfce::ParseProcStat(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (s.ok()) {
    for (const auto& cpu : s->cpus) {
      if (cpu.values.size() != s->names.size()) __builtin_trap();
    }
  }
  return 0;
}

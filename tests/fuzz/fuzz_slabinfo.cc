// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: /proc/slabinfo and SLUB sysfs attribute parsers.
#include <cstddef>
#include <cstdint>

#include "collectors/parse/slab_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<nfce::SlabCache>> caches =
      nfce::ParseSlabinfo(text);
  if (caches.ok()) {
    for (const auto& c : *caches) {
      if (!nfce::IsConntrackCache(c.name)) __builtin_trap();
    }
  }
  (void)nfce::ParseSlabAttribute(text);
  return 0;
}

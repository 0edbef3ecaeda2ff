// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: sysctl values and timeout sysctl names.
#include <cstddef>
#include <cstdint>

#include "collectors/parse/sysctl.h"
#include "collectors/parse/timeout_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  (void)nfce::ParseSysctlUint(text);
  (void)nfce::ParseTimeoutSysctlName(text);
  return 0;
}

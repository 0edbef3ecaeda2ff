// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: --web.config.file parser.
#include <cstddef>
#include <cstdint>

#include "exporter/http/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nfce::ParseWebConfig(
      absl::string_view(reinterpret_cast<const char*>(data), size), "/etc");
  return 0;
}

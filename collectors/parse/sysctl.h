// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// A sysctl holding one unsigned decimal integer, surrounded by white space.
absl::StatusOr<uint64_t> ParseSysctlUint(absl::string_view text);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// A sysctl holding one unsigned decimal integer, surrounded by white space.
absl::StatusOr<uint64_t> ParseSysctlUint(absl::string_view text);

// Reads and parses one such file; errors name the file.
absl::StatusOr<uint64_t> ReadSysctlUint(const std::string& path);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace nfce {

// Roots of the kernel's pseudo file systems; tests point them at fixtures.
struct Paths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";

  std::string Proc(absl::string_view relative) const;
  std::string Sys(absl::string_view relative) const;
};

}  // namespace nfce

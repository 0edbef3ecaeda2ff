// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace nfce {

// Where the kernel's state is read from; tests point them at fixtures.
struct Paths {
  std::string procfs = "/proc";
  std::string sysfs = "/sys";
  std::string kmsg = "/dev/kmsg";        // the kernel log ("" for none)
  std::string run_netns = "/run/netns";  // named network namespaces

  std::string Proc(absl::string_view relative) const;
  std::string Sys(absl::string_view relative) const;
};

}  // namespace nfce

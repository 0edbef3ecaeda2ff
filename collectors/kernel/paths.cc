// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/paths.h"

#include "absl/strings/str_cat.h"

namespace nfce {

std::string Paths::Proc(absl::string_view relative) const {
  return absl::StrCat(procfs, "/", relative);
}

std::string Paths::Sys(absl::string_view relative) const {
  return absl::StrCat(sysfs, "/", relative);
}

}  // namespace nfce

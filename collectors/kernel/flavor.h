// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "absl/strings/string_view.h"

namespace nfce {

// Which conntrack implementation the kernel has loaded, if any.
enum class ConntrackFlavor {
  kNone,               // module not loaded (or conntrack not built)
  kNfConntrack,        // nf_conntrack, every kernel since 2.6.15
  kLegacyIpConntrack,  // ip_conntrack, kernels up to 2.6.22 (RHEL 5)
};

absl::string_view FlavorName(ConntrackFlavor flavor);

// The kernel module whose parameters sit under <sysfs>/module/<name>.
absl::string_view ModuleName(ConntrackFlavor flavor);

}  // namespace nfce

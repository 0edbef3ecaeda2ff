// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/flavor.h"

namespace nfce {

absl::string_view FlavorName(ConntrackFlavor flavor) {
  // In the order of ConntrackFlavor.
  constexpr absl::string_view kNames[] = {"none", "nf_conntrack",
                                          "ip_conntrack"};
  return kNames[static_cast<int>(flavor)];
}

absl::string_view ModuleName(ConntrackFlavor flavor) {
  return flavor == ConntrackFlavor::kLegacyIpConntrack ? "ip_conntrack"
                                                       : "nf_conntrack";
}

}  // namespace nfce

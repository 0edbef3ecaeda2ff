// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/paths.h"

namespace nfce {

// Which conntrack implementation this procfs shows, if any.
enum class ConntrackFlavor {
  kNone,               // module not loaded (or conntrack not built)
  kNfConntrack,        // nf_conntrack, every kernel since 2.6.15
  kLegacyIpConntrack,  // ip_conntrack, kernels up to 2.6.22 (RHEL 5)
};

// Looks for the count sysctl; nf_conntrack wins where both names exist
// (PROC_COMPAT kernels show the initial netns under the legacy names). It
// reads the file rather than stat() it: the read goes through a kept
// descriptor, a stat() walks the path on every scrape. `count`, if given,
// gets what the read gave (the table collector serves it).
ConntrackFlavor DetectConntrack(const Paths& paths,
                                absl::StatusOr<uint64_t>* count = nullptr);

absl::string_view FlavorName(ConntrackFlavor flavor);

// The directory holding the conntrack sysctls and their name prefix, e.g.
// ("<procfs>/sys/net/netfilter", "nf_conntrack_").
struct SysctlLocation {
  std::string dir;
  std::string prefix;
  std::string File(absl::string_view suffix) const;
};
SysctlLocation SysctlsOf(const Paths& paths, ConntrackFlavor flavor);

// The kernel module whose parameters sit under <sysfs>/module/<name>.
absl::string_view ModuleName(ConntrackFlavor flavor);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/module.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/file_reader.h"
#include "collectors/sysctl.h"

namespace nfce {

SysctlLocation SysctlsOf(const Paths& paths, ConntrackFlavor flavor) {
  if (flavor == ConntrackFlavor::kLegacyIpConntrack) {
    return {paths.Proc("sys/net/ipv4/netfilter"), "ip_conntrack_"};
  }
  return {paths.Proc("sys/net/netfilter"), "nf_conntrack_"};
}

std::string SysctlLocation::File(absl::string_view suffix) const {
  return absl::StrCat(dir, "/", prefix, suffix);
}

ConntrackFlavor DetectConntrack(const Paths& paths,
                                absl::StatusOr<uint64_t>* count) {
  for (ConntrackFlavor f :
       {ConntrackFlavor::kNfConntrack, ConntrackFlavor::kLegacyIpConntrack}) {
    // Any answer but "no such file" means the sysctl exists.
    absl::StatusOr<uint64_t> read =
        ReadSysctlUint(SysctlsOf(paths, f).File("count"));
    if (absl::IsNotFound(read.status())) continue;
    if (count != nullptr) *count = std::move(read);
    return f;
  }
  return ConntrackFlavor::kNone;
}

absl::string_view FlavorName(ConntrackFlavor flavor) {
  switch (flavor) {
    case ConntrackFlavor::kNfConntrack:
      return "nf_conntrack";
    case ConntrackFlavor::kLegacyIpConntrack:
      return "ip_conntrack";
    case ConntrackFlavor::kNone:
      break;
  }
  return "none";
}

absl::string_view ModuleName(ConntrackFlavor flavor) {
  return flavor == ConntrackFlavor::kLegacyIpConntrack ? "ip_conntrack"
                                                       : "nf_conntrack";
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/privileges.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace nfce {
namespace {

// glibc wraps neither capget nor capset, and libcap would be a dependency
// for two system calls.
struct CapSets {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
};

bool Has(const __u32 set, int cap) { return (set & (1u << cap)) != 0; }

absl::Status Errno(absl::string_view what) {
  const int err = errno;
  return absl::Status(absl::ErrnoToStatusCode(err),
                      absl::StrCat(what, ": ", std::strerror(err)));
}

}  // namespace

std::vector<std::string> NetAdminUsers(const Options& options,
                                       const KernelView& view) {
  auto on = [&](const std::string& name) {
    auto it = options.collectors.find(name);
    return it != options.collectors.end() && it->second;
  };
  std::vector<std::string> users;
  if (on("stat") && view.StatNeedsNetlink(options.stat.source)) {
    users.push_back("stat");
  }
  if (on("expect") && view.ExpectNeedsNetlink(options.expect.source)) {
    users.push_back("expect");
  }
  for (const char* name : {"flows", "events"}) {
    if (on(name)) users.push_back(name);
  }
  return users;
}

bool HasNetAdmin() {
  CapSets caps;
  if (syscall(SYS_capget, &caps.header, caps.data) != 0) return false;
  return Has(caps.data[0].effective, CAP_NET_ADMIN);
}

absl::Status DropNetAdmin() {
  // Ambient first: the kernel refuses to keep a capability there that is
  // not permitted and inheritable. EINVAL: a kernel before 4.3, no ambient.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_ADMIN, 0, 0) != 0 &&
      errno != EINVAL) {
    return Errno("prctl(PR_CAP_AMBIENT_LOWER, CAP_NET_ADMIN)");
  }
  CapSets caps;
  if (syscall(SYS_capget, &caps.header, caps.data) != 0) {
    return Errno("capget");
  }
  // Without CAP_SETPCAP (a non-root user with ambient capabilities) the
  // bounding set stays; what is gone from permitted cannot come back.
  if (Has(caps.data[0].effective, CAP_SETPCAP) &&
      prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) != 0) {
    return Errno("prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN)");
  }
  const __u32 mask = ~(1u << CAP_NET_ADMIN);
  caps.data[0].effective &= mask;
  caps.data[0].permitted &= mask;
  caps.data[0].inheritable &= mask;
  if (syscall(SYS_capset, &caps.header, caps.data) != 0) {
    return Errno("capset");
  }
  if (HasNetAdmin()) {
    return absl::InternalError("CAP_NET_ADMIN is still effective after capset");
  }
  return absl::OkStatus();
}

}  // namespace nfce

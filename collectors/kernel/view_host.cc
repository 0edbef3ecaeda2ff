// SPDX-License-Identifier: Apache-2.0
#include <dirent.h>
#include <sys/stat.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/parse/host.h"

namespace nfce {
namespace {

bool Writable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && (st.st_mode & 0222) != 0;
}

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

}  // namespace

HostInfo KernelView::Host() const {
  HostInfo h;
  if (auto rel = files_.Read(paths_.Proc("sys/kernel/osrelease")); rel.ok()) {
    h.kernel_release = std::string(absl::StripAsciiWhitespace(*rel));
  }
  if (auto mem = files_.Read(paths_.Proc("meminfo")); mem.ok()) {
    h.ram_bytes = ParseMemTotalBytes(*mem).value_or(0);
  }
  if (auto stat = files_.Read(paths_.Proc("stat")); stat.ok()) {
    h.cpus = CountCpus(*stat);
  }
  return h;
}

HostKind KernelView::ReadHostKind(ConntrackFlavor flavor,
                                  absl::string_view kernel_release) const {
  HostKind k;
  const std::string max = SysctlPath(flavor, "max");
  if (flavor == ConntrackFlavor::kLegacyIpConntrack) {
    k.netns_initial = true;  // ip_conntrack predates network namespaces
  } else if (PathExists(max)) {
    // The alias net.nf_conntrack_max exists only in the initial namespace;
    // in a child, nf_conntrack_max is 0444 (5.13+, backported to 4.9+).
    k.netns_initial =
        PathExists(paths_.Proc("sys/net/nf_conntrack_max")) || Writable(max);
  }
  const std::string module =
      paths_.Sys(absl::StrCat("module/", ModuleName(flavor)));
  if (PathExists(absl::StrCat(module, "/initstate"))) {
    k.conntrack_builtin = false;
  } else if (PathExists(module)) {
    k.conntrack_builtin = true;  // parameters/ without a module around it
  }
  if (flavor == ConntrackFlavor::kNfConntrack) {
    // Writable from the initial namespace since 4.8; seen from a child
    // namespace the file is 0444 whatever the host can do.
    const std::string buckets = SysctlPath(flavor, "buckets");
    auto [major, minor] = KernelVersion(kernel_release);
    k.buckets_sysctl_writable =
        k.netns_initial.value_or(true) && PathExists(buckets)
            ? Writable(buckets)
            : (major > 4 || (major == 4 && minor >= 8));
  }
  if (std::unique_ptr<DIR, DirCloser> dir(opendir(paths_.procfs.c_str()));
      dir) {
    while (dirent* e = readdir(dir.get())) {
      if (!absl::ascii_isdigit(e->d_name[0])) continue;
      auto comm =
          ReadFileToString(paths_.Proc(absl::StrCat(e->d_name, "/comm")));
      if (comm.ok() && absl::StripAsciiWhitespace(*comm) == "kube-proxy") {
        k.kube_proxy = true;
        break;
      }
    }
  }
  return k;
}

std::optional<double> KernelView::UptimeSeconds() const {
  absl::StatusOr<std::string> text = files_.Read(paths_.Proc("uptime"));
  if (!text.ok()) return std::nullopt;
  return ParseUptimeSeconds(*text);
}

std::string KernelView::OwnNetnsInode() const {
  struct stat st;
  if (stat(paths_.Proc("self/ns/net").c_str(), &st) != 0) return "";
  return absl::StrCat(st.st_ino);
}

}  // namespace nfce

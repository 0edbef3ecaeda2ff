// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/kernel_view.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collectors/parse/sysctl.h"

namespace nfce {
namespace {

bool IsProcfs(const std::string& path) {
  struct statfs fs;
  return statfs(path.c_str(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

}  // namespace

absl::StatusOr<StatSource> ParseStatSource(absl::string_view text) {
  if (text == "auto") return StatSource::kAuto;
  if (text == "procfs") return StatSource::kProcfs;
  if (text == "netlink") return StatSource::kNetlink;
  return absl::InvalidArgumentError(absl::StrCat(
      "stat source must be auto, procfs or netlink, not \"", text, "\""));
}

KernelView::KernelView(Paths paths)
    : paths_(std::move(paths)), running_kernel_(IsProcfs(paths_.procfs)) {}

std::string KernelView::SysctlDir(ConntrackFlavor flavor) const {
  return flavor == ConntrackFlavor::kLegacyIpConntrack
             ? paths_.Proc("sys/net/ipv4/netfilter")
             : paths_.Proc("sys/net/netfilter");
}

std::string KernelView::SysctlPrefix(ConntrackFlavor flavor) const {
  return flavor == ConntrackFlavor::kLegacyIpConntrack ? "ip_conntrack_"
                                                       : "nf_conntrack_";
}

std::string KernelView::SysctlPath(ConntrackFlavor flavor,
                                   absl::string_view suffix) const {
  return absl::StrCat(SysctlDir(flavor), "/", SysctlName(flavor, suffix));
}

std::string KernelView::SysctlName(ConntrackFlavor flavor,
                                   absl::string_view suffix) const {
  return absl::StrCat(SysctlPrefix(flavor), suffix);
}

absl::StatusOr<uint64_t> KernelView::ReadUint(const std::string& path) const {
  absl::StatusOr<std::string> text = files_.Read(path, kMaxSysctlBytes);
  if (!text.ok()) return text.status();
  absl::StatusOr<uint64_t> v = ParseSysctlUint(*text);
  if (!v.ok()) return Prefixed(v.status(), path);
  return v;
}

ConntrackFlavor KernelView::Detect(absl::StatusOr<uint64_t>* count) const {
  for (ConntrackFlavor f :
       {ConntrackFlavor::kNfConntrack, ConntrackFlavor::kLegacyIpConntrack}) {
    // Read, not stat(): the read goes through a kept descriptor, a stat()
    // walks the path on every scrape. Any answer but "no such file" means
    // the sysctl exists.
    absl::StatusOr<uint64_t> read = Count(f);
    if (absl::IsNotFound(read.status())) continue;
    if (count != nullptr) *count = std::move(read);
    return f;
  }
  return ConntrackFlavor::kNone;
}

absl::StatusOr<uint64_t> KernelView::Count(ConntrackFlavor flavor) const {
  return ReadUint(SysctlPath(flavor, "count"));
}

absl::StatusOr<uint64_t> KernelView::Limit(ConntrackFlavor flavor) const {
  return ReadUint(SysctlPath(flavor, "max"));
}

absl::StatusOr<TableLimits> KernelView::Limits(ConntrackFlavor flavor) const {
  TableLimits state;
  absl::StatusOr<uint64_t> max = Limit(flavor);
  if (!max.ok()) return max.status();
  state.limit = *max;

  state.buckets = ReadUint(SysctlPath(flavor, "buckets"));
  if (!state.buckets.ok()) {
    absl::StatusOr<uint64_t> from_module = ReadUint(paths_.Sys(
        absl::StrCat("module/", ModuleName(flavor), "/parameters/hashsize")));
    if (from_module.ok()) {
      state.buckets = from_module;
    } else {
      state.buckets = absl::Status(
          from_module.status().code(),
          absl::StrCat("buckets unreadable: ", state.buckets.status().message(),
                       "; ", from_module.status().message()));
    }
  }
  return state;
}

TimeoutSysctls KernelView::Timeouts(ConntrackFlavor flavor) const {
  TimeoutSysctls out;
  const std::string dir = SysctlDir(flavor);
  const std::string prefix = SysctlPrefix(flavor);
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir);
  if (!names.ok()) {
    out.status = names.status();
    return out;
  }
  for (const std::string& name : *names) {
    if (!absl::StartsWith(name, prefix)) continue;
    const absl::string_view suffix =
        absl::string_view(name).substr(prefix.size());
    std::optional<TimeoutKey> key = ParseTimeoutSysctlName(suffix);
    if (!key) continue;
    absl::StatusOr<uint64_t> seconds = ReadUint(absl::StrCat(dir, "/", name));
    if (!seconds.ok()) {
      out.status.Update(seconds.status());  // keep the first error
      continue;
    }
    out.values.push_back({std::string(suffix), *std::move(key), *seconds});
  }
  return out;
}

std::optional<uint64_t> KernelView::TimeoutSeconds(
    ConntrackFlavor flavor, absl::string_view suffix) const {
  absl::StatusOr<uint64_t> v = ReadUint(SysctlPath(flavor, suffix));
  if (!v.ok()) return std::nullopt;
  return *v;
}

}  // namespace nfce

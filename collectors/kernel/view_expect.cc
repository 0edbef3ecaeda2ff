// SPDX-License-Identifier: Apache-2.0
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"

namespace nfce {
namespace {

// The expectation table is bounded by nf_conntrack_expect_max (4,096 by
// default; buckets / 64 in general) and a line is about 150 bytes: this
// allows a limit raised a hundredfold.
constexpr size_t kMaxExpectFileBytes = size_t{256} << 20;

int CountCallback(const nlmsghdr* nlh, void* data) {
  if ((nlh->nlmsg_type & 0xff) == IPCTNL_MSG_EXP_NEW) {
    ++*static_cast<uint64_t*>(data);
  }
  return MNL_CB_OK;
}

}  // namespace

std::string KernelView::ExpectFile(ConntrackFlavor flavor) const {
  return paths_.Proc(absl::StrCat("net/", ModuleName(flavor), "_expect"));
}

absl::StatusOr<uint64_t> KernelView::ExpectLimit(ConntrackFlavor flavor) const {
  return ReadUint(SysctlPath(flavor, "expect_max"));
}

absl::StatusOr<uint64_t> KernelView::ExpectEntries(
    ConntrackFlavor flavor, StatSource source, absl::string_view* used) const {
  if (source != StatSource::kNetlink) {
    const std::string file = ExpectFile(flavor);
    absl::StatusOr<uint64_t> lines =
        files_.CountLines(file, kMaxExpectFileBytes);
    // Without CONFIG_NF_CONNTRACK_PROCFS the file is absent: ask ctnetlink.
    if (!(absl::IsNotFound(lines.status()) && source == StatSource::kAuto)) {
      *used = "procfs";
      return lines;
    }
  }
  *used = "ctnetlink";
  if (absl::Status ready = NetlinkReady(); !ready.ok()) return ready;
  uint64_t count = 0;
  absl::Status status =
      CtnetlinkDump(IPCTNL_MSG_EXP_GET, CountCallback, &count,
                    absl::Now() + absl::Seconds(5), NFNL_SUBSYS_CTNETLINK_EXP);
  if (!status.ok()) return status;
  return count;
}

}  // namespace nfce

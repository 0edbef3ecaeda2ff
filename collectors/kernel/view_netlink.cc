// SPDX-License-Identifier: Apache-2.0
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"

namespace nfce {
namespace {

struct DumpState {
  absl::FunctionRef<void(const FlowKey&)> visit;
  absl::Status status;
};

int DumpCallback(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<DumpState*>(data);
  absl::StatusOr<FlowKey> key = ParseConntrackMessage(nlh);
  if (!key.ok()) {
    state->status = key.status();
    return MNL_CB_ERROR;
  }
  state->visit(*key);
  return MNL_CB_OK;
}

}  // namespace

std::string KernelView::NotRunningKernel() const {
  return absl::StrCat(
      "ctnetlink and network namespaces speak for the running kernel, not "
      "for --path.procfs=",
      paths_.procfs, " (a tree of files)");
}

absl::Status KernelView::NetlinkReady() const {
  if (!running_kernel_)
    return absl::FailedPreconditionError(NotRunningKernel());
  if (PathExists(SysctlPath(ConntrackFlavor::kNfConntrack, "count")) ||
      PathExists(paths_.Sys("module/nf_conntrack"))) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      "nf_conntrack is not loaded in this network namespace: not asking "
      "ctnetlink, which could load it");
}

bool KernelView::NeedsNetlink(
    StatSource source,
    std::string (KernelView::*proc_file)(ConntrackFlavor) const) const {
  if (!running_kernel_ || source == StatSource::kProcfs) return false;
  if (source == StatSource::kNetlink) return true;
  const ConntrackFlavor flavor = Detect();
  return flavor == ConntrackFlavor::kNone ||
         !PathExists((this->*proc_file)(flavor));
}

bool KernelView::StatNeedsNetlink(StatSource source) const {
  return NeedsNetlink(source, &KernelView::StatFile);
}

bool KernelView::ExpectNeedsNetlink(StatSource source) const {
  return NeedsNetlink(source, &KernelView::ExpectFile);
}

absl::Status KernelView::DumpConntrack(
    absl::FunctionRef<void(const FlowKey&)> visit, absl::Time deadline) const {
  if (absl::Status ready = NetlinkReady(); !ready.ok()) return ready;
  DumpState state{visit, absl::OkStatus()};
  absl::Status status =
      CtnetlinkDump(IPCTNL_MSG_CT_GET, DumpCallback, &state, deadline);
  if (!state.status.ok()) return state.status;
  return status;
}

absl::StatusOr<NetlinkSocket> KernelView::SubscribeConntrackEvents(
    int buffer_bytes) const {
  if (absl::Status ready = NetlinkReady(); !ready.ok()) return ready;
  absl::StatusOr<NetlinkSocket> sock =
      NetlinkSocket::Open((1u << (NFNLGRP_CONNTRACK_NEW - 1)) |
                          (1u << (NFNLGRP_CONNTRACK_DESTROY - 1)));
  if (sock.ok()) sock->SetReceiveBuffer(buffer_bytes);
  return sock;
}

}  // namespace nfce

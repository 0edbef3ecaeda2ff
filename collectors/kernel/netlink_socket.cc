// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/netlink_socket.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace nfce {

absl::Status NetlinkError(int err, absl::string_view what) {
  std::string msg = absl::StrCat("ctnetlink ", what, ": ", std::strerror(err));
  if (err == EPERM || err == EACCES) {
    return absl::PermissionDeniedError(
        absl::StrCat(msg, " (ctnetlink needs CAP_NET_ADMIN)"));
  }
  if (err == EAGAIN || err == EWOULDBLOCK) {
    return absl::DeadlineExceededError(
        absl::StrCat("ctnetlink ", what, ": no answer in time"));
  }
  return absl::UnavailableError(msg);
}

absl::StatusOr<NetlinkSocket> NetlinkSocket::Open(unsigned groups,
                                                  int protocol) {
  mnl_socket* s = mnl_socket_open(protocol);
  if (s == nullptr) return NetlinkError(errno, "socket");
  NetlinkSocket sock(s);
  if (mnl_socket_bind(s, groups, MNL_SOCKET_AUTOPID) < 0) {
    return NetlinkError(errno, "bind");
  }
  return sock;
}

void NetlinkSocket::SetReceiveTimeout(absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

void NetlinkSocket::SetReceiveBuffer(int bytes) {
  if (setsockopt(fd(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0) {
    setsockopt(fd(), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
}

absl::Status CtnetlinkDump(uint8_t message, mnl_cb_t callback, void* data,
                           absl::Time deadline, uint8_t subsystem) {
  absl::StatusOr<NetlinkSocket> sock = NetlinkSocket::Open();
  if (!sock.ok()) return sock.status();

  std::vector<char> buf(1 << 15);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = static_cast<uint16_t>((subsystem << 8) | message);
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  const unsigned seq = static_cast<unsigned>(time(nullptr));
  nlh->nlmsg_seq = seq;
  auto* nfh =
      static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  nfh->nfgen_family = AF_UNSPEC;  // every family
  nfh->version = NFNETLINK_V0;
  nfh->res_id = 0;
  if (mnl_socket_sendto(sock->get(), nlh, nlh->nlmsg_len) < 0) {
    return NetlinkError(errno, "send");
  }
  // One timeout for the whole dump (a setsockopt per receive would add a
  // system call to each of thousands); the deadline is checked in between.
  sock->SetReceiveTimeout(
      std::max(deadline - absl::Now(), absl::Milliseconds(1)));
  for (;;) {
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          "ctnetlink dump: time budget used up before the kernel finished");
    }
    ssize_t n = mnl_socket_recvfrom(sock->get(), buf.data(), buf.size());
    if (n < 0) return NetlinkError(errno, "receive");
    int ret = mnl_cb_run(buf.data(), n, seq, sock->portid(), callback, data);
    if (ret == MNL_CB_ERROR) return NetlinkError(errno, "dump");
    if (ret == MNL_CB_STOP) return absl::OkStatus();
  }
}

}  // namespace nfce

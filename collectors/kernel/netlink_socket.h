// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nfce {

// An error from a netlink call, with the hint operators need for EPERM.
absl::Status NetlinkError(int err, absl::string_view what);

// A netlink socket (NETLINK_NETFILTER unless said), closed when the owner
// goes.
class NetlinkSocket {
 public:
  // Opens and binds the socket, subscribed to the multicast `groups` (a
  // bit mask, 0 for none).
  static absl::StatusOr<NetlinkSocket> Open(unsigned groups = 0,
                                            int protocol = NETLINK_NETFILTER);

  mnl_socket* get() const { return sock_.get(); }
  int fd() const { return mnl_socket_get_fd(sock_.get()); }
  unsigned portid() const { return mnl_socket_get_portid(sock_.get()); }

  // Bounds every receive, so that a silent kernel cannot hang a caller.
  void SetReceiveTimeout(absl::Duration timeout);
  // Grows the receive buffer: SO_RCVBUFFORCE where CAP_NET_ADMIN allows it,
  // SO_RCVBUF (capped by net.core.rmem_max) otherwise.
  void SetReceiveBuffer(int bytes);

 private:
  struct Closer {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
  };
  explicit NetlinkSocket(mnl_socket* s) : sock_(s) {}
  std::unique_ptr<mnl_socket, Closer> sock_;
};

// Sends one ctnetlink dump request (`message` is the IPCTNL_MSG_* type of
// `subsystem`: NFNL_SUBSYS_CTNETLINK, or NFNL_SUBSYS_CTNETLINK_EXP for
// expectations) and hands every answer to `callback`, until the kernel's
// DONE. Fails with DeadlineExceeded past `deadline`.
absl::Status CtnetlinkDump(uint8_t message, mnl_cb_t callback, void* data,
                           absl::Time deadline,
                           uint8_t subsystem = NFNL_SUBSYS_CTNETLINK);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: ctnetlink conntrack messages (dump answers and events),
// parsed by a hand-written attribute walk; what parses is counted by the
// table make-up (top-K sketches, idle histograms) as a dump would.
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "collectors/makeup/table_makeup.h"
#include "collectors/parse/flow_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < sizeof(nlmsghdr)) return 0;
  // The kernel never sends a message longer than what was received: the
  // receive path (mnl_cb_run) checks nlmsg_len against the buffer first.
  std::vector<uint8_t> buf(data, data + size);
  nlmsghdr hdr;
  std::memcpy(&hdr, buf.data(), sizeof(hdr));
  if (hdr.nlmsg_len > size) hdr.nlmsg_len = static_cast<uint32_t>(size);
  std::memcpy(buf.data(), &hdr, sizeof(hdr));
  auto key = nfce::ParseConntrackMessage(
      reinterpret_cast<const nlmsghdr*>(buf.data()));
  if (key.ok()) {
    // One builder for the whole run, as for one long dump: its sketches
    // fill up and start evicting.
    static nfce::MakeupBuilder* builder = [] {
      nfce::MakeupOptions options;
      options.top = 3;
      options.tcp_established_timeout = 432000;
      options.udp_stream_timeout = 120;
      return new nfce::MakeupBuilder(options);
    }();
    builder->Add(*key);
    (void)builder->Finish();
  }
  return 0;
}

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
#include "tests/fuzz/netlink_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> buf = nfce::fuzz::AsReceived(data, size);
  if (buf.empty()) return 0;
  auto key = nfce::ParseConntrackMessage(nfce::fuzz::Header(buf));
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

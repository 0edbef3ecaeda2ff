// SPDX-License-Identifier: Apache-2.0
// Micro-benchmark of the two ctnetlink decoders on this network namespace's
// real table: the dump is taken once into memory, then every message is
// decoded REPEATS times by our attribute walk (what the flows and events
// collectors run) and by libnetfilter_conntrack (nfct_nlmsg_parse into a new
// object, then the getters, as a library user's callback does). Thread CPU
// time, so another process on the machine does not count.
//
// usage: decoder_bench [REPEATS]
// prints: messages=N ours_ns=... reference_ns=... ratio=...
//   ours_ms_262144=... reference_ms_262144=...   (per message; per refresh
//   of a full 262,144-entry table)
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/time/clock.h"
#include "collectors/kernel/netlink_socket.h"
#include "collectors/parse/flow_parser.h"
#include "tests/bench/thread_cpu.h"
#include "tests/reference/reference_decoder.h"

namespace {

using Messages = std::vector<std::vector<uint8_t>>;
using nfce::bench::ThreadCpuNs;

int Keep(const nlmsghdr* nlh, void* data) {
  const auto* p = reinterpret_cast<const uint8_t*>(nlh);
  static_cast<Messages*>(data)->emplace_back(p, p + nlh->nlmsg_len);
  return MNL_CB_OK;
}

// Mean CPU ns per message of decode() over every message, `repeats` times.
template <typename Decode>
double NsPerMessage(const Messages& messages, int repeats, Decode decode,
                    uint64_t* sink) {
  double start = ThreadCpuNs();
  for (int r = 0; r < repeats; ++r) {
    for (const auto& m : messages) {
      *sink += decode(reinterpret_cast<const nlmsghdr*>(m.data()));
    }
  }
  return (ThreadCpuNs() - start) /
         (static_cast<double>(messages.size()) * repeats);
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  if (repeats < 1) repeats = 1;
  Messages messages;
  absl::Status status = nfce::CtnetlinkDump(IPCTNL_MSG_CT_GET, Keep, &messages,
                                            absl::Now() + absl::Seconds(120));
  if (!status.ok() || messages.empty()) {
    std::fprintf(stderr, "dump failed or empty table: %s\n",
                 status.ToString().c_str());
    return 1;
  }
  // The sink keeps the compiler from dropping either decoder's work.
  uint64_t sink = 0;
  auto ours = [](const nlmsghdr* nlh) -> uint64_t {
    absl::StatusOr<nfce::FlowKey> k = nfce::ParseConntrackMessage(nlh);
    return k.ok() ? k->protocol + k->status : 1;
  };
  auto reference = [](const nlmsghdr* nlh) -> uint64_t {
    std::optional<nfce::ReferenceEntry> e = nfce::ReferenceDecode(nlh);
    return e ? e->key.protocol + e->key.status : 1;
  };
  // One untimed pass each, so that both start with warm caches.
  NsPerMessage(messages, 1, ours, &sink);
  NsPerMessage(messages, 1, reference, &sink);
  double ours_ns = NsPerMessage(messages, repeats, ours, &sink);
  double reference_ns = NsPerMessage(messages, repeats, reference, &sink);
  std::printf(
      "messages=%zu ours_ns=%.1f reference_ns=%.1f ratio=%.1f "
      "ours_ms_262144=%.1f reference_ms_262144=%.1f sink=%llu\n",
      messages.size(), ours_ns, reference_ns, reference_ns / ours_ns,
      ours_ns * 262144 / 1e6, reference_ns * 262144 / 1e6,
      static_cast<unsigned long long>(sink % 10));
  return 0;
}

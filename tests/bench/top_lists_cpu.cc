// SPDX-License-Identifier: Apache-2.0
// The top lists' own CPU per entry, without the kernel: ENTRIES synthetic
// entries held in memory, in a shuffled order, are counted by the flows
// collector's MakeupBuilder with the top lists on (top 10) and off, in
// turn, with the thread's CPU clock (nanoseconds, not the 4 ms ticks that
// split getrusage's user and system time).
//
// usage: top_lists_cpu MAKEUP [ENTRIES] [SOURCES] [ROUNDS]
//   MAKEUP: uniform (SOURCES alike), heavy (30 % from one address) or
//   distinct (every entry a source of its own)
// prints, per round: top=10 ns_per_entry=... top=0 ns_per_entry=...
#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "collectors/makeup/table_makeup.h"

namespace {

double ThreadNanos() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

void SetAddress(uint32_t host_order, std::array<uint8_t, 16>* out) {
  const uint32_t a = htonl(host_order);
  std::memcpy(out->data(), &a, 4);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string makeup = argc > 1 ? argv[1] : "uniform";
  const int entries = argc > 2 ? std::atoi(argv[2]) : 2097152;
  const int sources = argc > 3 ? std::atoi(argv[3]) : 8750;
  const int rounds = argc > 4 ? std::atoi(argv[4]) : 5;
  if (entries < 1 || sources < 1 || rounds < 1) {
    std::fprintf(stderr,
                 "usage: %s uniform|heavy|distinct [ENTRIES] "
                 "[SOURCES] [ROUNDS]\n",
                 argv[0]);
    return 64;
  }
  const int heavy = makeup == "heavy" ? entries * 3 / 10 : 0;
  std::vector<nfce::FlowKey> table(static_cast<size_t>(entries));
  for (int j = 0; j < entries; ++j) {
    nfce::FlowKey& e = table[static_cast<size_t>(j)];
    e.family = AF_INET;
    e.protocol = IPPROTO_TCP;
    e.tcp_state = TCP_CONNTRACK_ESTABLISHED;
    SetAddress(j < heavy ? 0x0a090909u
               : makeup == "distinct"
                   ? 0x0b000000u + static_cast<uint32_t>(j)
                   : 0x0a140000u + static_cast<uint32_t>(j % sources),
               &e.source);
    SetAddress(j < heavy ? 0x0ac90001u : 0x0ac90002u, &e.destination);
    e.source_port = static_cast<uint16_t>(1024 + j % 60000);
    e.destination_port = static_cast<uint16_t>(80 + j / 60000);
    e.status = j < heavy && j % 2 == 0 ? IPS_SEEN_REPLY : 0;
    e.has_reply = true;
    e.timeout = 80000;
  }
  std::mt19937 rng(1);
  std::shuffle(table.begin(), table.end(), rng);
  for (int r = 0; r < rounds; ++r) {
    for (int top : {10, 0}) {
      nfce::MakeupOptions options;
      options.top = top;
      options.tcp_established_timeout = 86400;
      const double start = ThreadNanos();
      nfce::MakeupBuilder builder(options);
      for (const nfce::FlowKey& e : table) builder.Add(e);
      nfce::TableMakeup m = builder.Finish();
      const double ns = (ThreadNanos() - start) / entries;
      std::printf("top=%d ns_per_entry=%.1f bound=%llu%s", top, ns,
                  static_cast<unsigned long long>(
                      m.top_sources ? m.top_sources->bound : 0),
                  top ? " " : "\n");
    }
  }
  return 0;
}

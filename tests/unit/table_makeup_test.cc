// SPDX-License-Identifier: Apache-2.0
#include "collectors/makeup/table_makeup.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>

#include <map>
#include <random>

#include "collectors/flows.h"
#include "collectors/makeup/space_saving.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(SpaceSaving, ExactWhileTheKeysFit) {
  SpaceSaving<int> s(8);
  std::map<int, uint64_t> truth;
  for (int i = 0; i < 1000; ++i) {
    int key = (i * 7) % 8;
    s.Add(key, i % 3 == 0);
    ++truth[key];
  }
  EXPECT_TRUE(s.exact());
  auto top = s.Top(8, std::less<int>());
  ASSERT_EQ(top.size(), 8u);
  for (const auto& c : top) {
    EXPECT_EQ(c.count, truth[c.key]) << c.key;
    EXPECT_EQ(c.error, 0u);
  }
  for (size_t i = 1; i < top.size(); ++i) {
    EXPECT_GE(top[i - 1].count, top[i].count);
  }
}

TEST(SpaceSaving, BeyondCapacityHeavyKeysStayAndErrorsAreBounded) {
  constexpr size_t kCapacity = 64;
  SpaceSaving<uint32_t> s(kCapacity);
  std::map<uint32_t, uint64_t> truth;
  std::mt19937 rng(7);
  uint64_t n = 0;
  for (int i = 0; i < 200000; ++i) {
    // Three heavy keys hold 30 %; the rest spread over 100,000 keys.
    uint32_t key = (i % 10 < 3) ? 1000000 + i % 3 : rng() % 100000;
    s.Add(key);
    ++truth[key];
    ++n;
  }
  EXPECT_FALSE(s.exact());
  auto top = s.Top(3, std::less<uint32_t>());
  ASSERT_EQ(top.size(), 3u);
  for (const auto& c : top) {
    EXPECT_GE(c.key, 1000000u);  // the heavy keys, found
    EXPECT_LE(c.error, n / kCapacity);
    EXPECT_GE(c.count, truth[c.key]);            // never understates
    EXPECT_LE(c.count - c.error, truth[c.key]);  // true >= count - error
  }
}

TEST(IdleHistogram, BucketsAndTheLongIdleCounts) {
  IdleHistogram h;
  h.timeout = 432000;
  h.Observe(432000, false);  // idle 0 -> le 60
  h.Observe(431940, false);  // idle 60 -> le 60 (upper bounds are inclusive)
  h.Observe(431939, false);  // idle 61 -> le 300
  h.Observe(3600, false);    // idle 428400 -> le 432000
  h.Observe(500000, false);  // more than the timeout: own policy
  h.Observe(100, true);      // fixed timeout
  EXPECT_EQ(h.count, 4u);
  EXPECT_EQ(h.excluded, 2u);
  EXPECT_EQ(h.counts[0], 2u);
  EXPECT_EQ(h.counts[1], 1u);
  EXPECT_EQ(h.counts[8], 1u);
  EXPECT_EQ(h.counts[9], 0u);
  EXPECT_DOUBLE_EQ(h.sum, 0 + 60 + 61 + 428400);
  EXPECT_EQ(h.IdleLongerThan(36000), 1u);
  EXPECT_EQ(h.IdleLongerThan(60), 2u);
  EXPECT_EQ(h.IdleLongerThan(432000), 0u);
}

FlowKey V4(const char* src, const char* dst, uint8_t protocol,
           std::optional<uint16_t> port, uint32_t status) {
  FlowKey k;
  k.family = AF_INET;
  k.protocol = protocol;
  inet_pton(AF_INET, src, k.source.data());
  inet_pton(AF_INET, dst, k.destination.data());
  k.destination_port = port;
  k.status = status;
  return k;
}

TEST(MakeupBuilder, TopListsIdleAndUnreplied) {
  MakeupOptions o;
  o.top = 2;
  o.tcp_established_timeout = 432000;
  o.udp_stream_timeout = 120;
  MakeupBuilder b(o);
  for (int i = 0; i < 5; ++i) {
    b.Add(V4("10.0.0.1", "10.0.0.53", IPPROTO_UDP, 53, 0));  // unreplied
  }
  for (int i = 0; i < 3; ++i) {
    FlowKey k = V4("10.0.0.2", "10.0.0.80", IPPROTO_TCP, 80,
                   IPS_SEEN_REPLY | IPS_ASSURED);
    k.tcp_state = TCP_CONNTRACK_ESTABLISHED;
    k.timeout = 3600;
    b.Add(k);
  }
  FlowKey ping = V4("10.0.0.3", "10.0.0.80", IPPROTO_ICMP, std::nullopt, 0);
  b.Add(ping);
  FlowKey v6;
  v6.family = AF_INET6;
  v6.protocol = IPPROTO_UDP;
  v6.status = IPS_SEEN_REPLY | IPS_ASSURED;
  v6.timeout = 100;
  inet_pton(AF_INET6, "2001:db8:1:2:aaaa::1", v6.source.data());
  inet_pton(AF_INET6, "2001:db8::53", v6.destination.data());
  v6.destination_port = 53;
  b.Add(v6);
  v6.source[15] = 2;  // another address of the same /64
  b.Add(v6);

  TableMakeup m = b.Finish();
  EXPECT_EQ(m.total, 11u);
  EXPECT_EQ(m.unreplied, 6u);
  ASSERT_TRUE(m.top_sources);
  ASSERT_EQ(m.top_sources->items.size(), 2u);
  EXPECT_EQ(m.top_sources->items[0].address, "10.0.0.1");
  EXPECT_EQ(m.top_sources->items[0].entries, 5u);
  EXPECT_EQ(m.top_sources->items[0].unreplied, 5u);
  EXPECT_EQ(m.top_sources->items[1].address, "10.0.0.2");
  EXPECT_TRUE(m.top_sources->exact);
  ASSERT_EQ(m.top_destinations->items.size(), 2u);
  EXPECT_EQ(m.top_destinations->items[0].address, "10.0.0.53");
  EXPECT_EQ(m.top_destinations->items[0].protocol, "udp");
  EXPECT_EQ(m.top_destinations->items[0].port, "53");
  EXPECT_EQ(m.top_destinations->items[1].port, "80");
  ASSERT_TRUE(m.tcp_established);
  EXPECT_EQ(m.tcp_established->count, 3u);
  EXPECT_EQ(m.tcp_established->counts[8], 3u);  // idle 428400
  ASSERT_TRUE(m.udp_stream);
  EXPECT_EQ(m.udp_stream->count, 2u);
  EXPECT_EQ(m.udp_stream->counts[0], 2u);  // idle 120 - 100 = 20 -> le 60
  EXPECT_GT(m.sketch_bytes, 0u);

  // The IPv6 /64 and the portless destination, with more room.
  o.top = 10;
  MakeupBuilder all(o);
  all.Add(ping);
  all.Add(v6);
  v6.source[15] = 1;
  all.Add(v6);
  TableMakeup m2 = all.Finish();
  EXPECT_EQ(m2.top_sources->items[0].address, "2001:db8:1:2::/64");
  EXPECT_EQ(m2.top_sources->items[0].entries, 2u);
  EXPECT_EQ(m2.top_destinations->items[0].address, "2001:db8::53");
  EXPECT_EQ(m2.top_destinations->items[1].protocol, "icmp");
  EXPECT_EQ(m2.top_destinations->items[1].port, "");
}

TEST(MakeupBuilder, TopZeroTurnsTheListsOff) {
  MakeupOptions o;
  o.top = 0;
  MakeupBuilder b(o);
  b.Add(V4("10.0.0.1", "10.0.0.2", IPPROTO_TCP, 80, 0));
  TableMakeup m = b.Finish();
  EXPECT_FALSE(m.top_sources);
  EXPECT_FALSE(m.top_destinations);
  EXPECT_EQ(m.sketch_bytes, 0u);
  EXPECT_EQ(SketchCapacity(0), 0u);
  EXPECT_EQ(SketchCapacity(10), 4096u);
  EXPECT_EQ(SketchCapacity(100), 6400u);
}

}  // namespace
}  // namespace nfce

namespace nfce {
namespace {

// The flows collector's pause: the interval, or longer where a dump's CPU
// would take more than max_cpu of one CPU from one start to the next.
TEST(RefreshPause, StretchesToTheCpuShare) {
  const absl::Duration interval = absl::Seconds(30);
  // Cheap dumps: the interval as configured.
  EXPECT_EQ(RefreshPause(interval, absl::Milliseconds(100),
                         absl::Milliseconds(120), 0.05),
            interval);
  // 5 s of CPU over 6 s: 5 / (6 + pause) <= 0.05 -> pause >= 94 s.
  EXPECT_EQ(RefreshPause(interval, absl::Seconds(5), absl::Seconds(6), 0.05),
            absl::Seconds(94));
  // No bound.
  EXPECT_EQ(RefreshPause(interval, absl::Seconds(5), absl::Seconds(6), 0),
            interval);
  // A whole CPU allowed: the interval again.
  EXPECT_EQ(RefreshPause(interval, absl::Seconds(5), absl::Seconds(6), 1),
            interval);
}

}  // namespace
}  // namespace nfce

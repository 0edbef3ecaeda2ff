// SPDX-License-Identifier: Apache-2.0
#include "collectors/makeup/table_makeup.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <set>

#include "collectors/flows.h"
#include "collectors/makeup/heavy_hitters.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(HeavyHitters, ExactWhileTheKeysFit) {
  HeavyHitters<int> s(8);
  std::map<int, uint64_t> truth, flagged;
  for (int i = 0; i < 1000; ++i) {
    int key = (i * 7) % 8;
    s.Add(key, i % 3 == 0);
    ++truth[key];
    flagged[key] += i % 3 == 0;
  }
  EXPECT_TRUE(s.exact());
  EXPECT_EQ(s.bound(), 0u);
  auto top = s.Top(8, std::less<int>());
  ASSERT_EQ(top.size(), 8u);
  for (const auto& c : top) {
    EXPECT_EQ(c.count, truth[c.key]) << c.key;
    EXPECT_EQ(c.flagged, flagged[c.key]) << c.key;
    EXPECT_EQ(c.error, 0u);
  }
  for (size_t i = 1; i < top.size(); ++i) {
    EXPECT_GE(top[i - 1].count, top[i].count);
  }
}

// A stream past the sketch's capacity: three heavy keys (30 %, 6 % of it
// flagged by key) among 50,000 light ones, in the order given.
enum class Order { kHeavyFirst, kHeavyLast, kInterleaved, kShuffled };

std::vector<std::pair<uint32_t, bool>> Stream(Order order) {
  std::vector<std::pair<uint32_t, bool>> heavy, light, out;
  std::mt19937 rng(11);
  for (int i = 0; i < 60000; ++i) {
    heavy.push_back({1000000u + i % 3, i % 5 == 0});
  }
  for (int i = 0; i < 140000; ++i) {
    light.push_back({static_cast<uint32_t>(rng() % 50000), rng() % 2 == 0});
  }
  switch (order) {
    case Order::kHeavyFirst:
      out = heavy;
      out.insert(out.end(), light.begin(), light.end());
      break;
    case Order::kHeavyLast:
      out = light;
      out.insert(out.end(), heavy.begin(), heavy.end());
      break;
    case Order::kInterleaved:  // 3 heavy, 7 light, again and again
      for (size_t h = 0, l = 0; h < heavy.size() || l < light.size();) {
        for (int j = 0; j < 3 && h < heavy.size(); ++j)
          out.push_back(heavy[h++]);
        for (int j = 0; j < 7 && l < light.size(); ++j)
          out.push_back(light[l++]);
      }
      break;
    case Order::kShuffled:
      out = heavy;
      out.insert(out.end(), light.begin(), light.end());
      std::shuffle(out.begin(), out.end(), rng);
      break;
  }
  return out;
}

class HeavyHittersPastCapacity : public testing::TestWithParam<Order> {};

TEST_P(HeavyHittersPastCapacity, HeavyKeysFoundAndEveryBoundHolds) {
  constexpr size_t kCapacity = 96;
  HeavyHitters<uint32_t> s(kCapacity);
  std::map<uint32_t, uint64_t> truth, flagged;
  const auto stream = Stream(GetParam());
  size_t memory = 0;
  for (const auto& [key, flag] : stream) {
    s.Add(key, flag);
    if (!memory) memory = s.MemoryBytes();
    ++truth[key];
    flagged[key] += flag;
  }
  EXPECT_FALSE(s.exact());
  EXPECT_EQ(s.MemoryBytes(), memory);  // purges never grow the table
  EXPECT_LE(s.bound(), 2 * stream.size() / kCapacity);
  const auto all = s.Top(kCapacity + 1, std::less<uint32_t>());
  ASSERT_LE(all.size(), kCapacity + 1);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_GE(all[i].key, 1000000u) << i;
    // Above the noise, as the doctor requires before naming a key.
    EXPECT_GT(all[i].count - all[i].error, s.bound()) << i;
  }
  std::set<uint32_t> held;
  for (const auto& c : all) {
    held.insert(c.key);
    EXPECT_LE(c.error, s.bound());
    EXPECT_GE(c.count, truth[c.key]) << c.key;  // an upper bound
    EXPECT_LE(c.count - c.error, truth[c.key]) << c.key;
    EXPECT_GE(c.flagged, flagged[c.key]) << c.key;
    EXPECT_LE(c.flagged - std::min(c.flagged, c.error), flagged[c.key])
        << c.key;
  }
  for (const auto& [key, n] : truth) {
    if (!held.count(key)) {
      EXPECT_LE(n, s.bound()) << key;
    }
  }
}

std::string OrderName(const testing::TestParamInfo<Order>& info) {
  switch (info.param) {
    case Order::kHeavyFirst:
      return "HeavyFirst";
    case Order::kHeavyLast:
      return "HeavyLast";
    case Order::kInterleaved:
      return "Interleaved";
    case Order::kShuffled:
      return "Shuffled";
  }
  return "";
}

INSTANTIATE_TEST_SUITE_P(Orders, HeavyHittersPastCapacity,
                         testing::Values(Order::kHeavyFirst, Order::kHeavyLast,
                                         Order::kInterleaved, Order::kShuffled),
                         OrderName);

// Misra-Gries' worst order: every heavy occurrence followed by enough new
// keys to force a purge. The heavy key is then no heavy hitter (under
// 2 / capacity of the stream), but every bound still holds.
TEST(HeavyHitters, BoundsHoldWhenEveryHeavyOccurrenceIsPurged) {
  constexpr size_t kCapacity = 16;
  HeavyHitters<uint32_t> s(kCapacity);
  std::map<uint32_t, uint64_t> truth;
  uint32_t next = 1;
  uint64_t n = 0;
  for (int i = 0; i < 2000; ++i) {
    s.Add(0);
    ++truth[0];
    for (size_t j = 0; j < kCapacity; ++j, ++next) {
      s.Add(next);
      ++truth[next];
    }
    n += kCapacity + 1;
  }
  EXPECT_LE(s.bound(), 2 * n / kCapacity);
  std::set<uint32_t> held;
  for (const auto& c : s.Top(kCapacity + 1, std::less<uint32_t>())) {
    held.insert(c.key);
    EXPECT_GE(c.count, truth[c.key]);
    EXPECT_LE(c.count - c.error, truth[c.key]);
  }
  for (const auto& [key, count] : truth) {
    if (!held.count(key)) {
      EXPECT_LE(count, s.bound()) << key;
    }
  }
  EXPECT_GE(s.Largest(), truth[0]);
}

// Counts past the median histogram's bins (the purge selects instead):
// five keys of 2,000 each, one after the other, through four counters.
TEST(HeavyHitters, LargeCountsPurgeByTheSelectedMedian) {
  HeavyHitters<int> s(4);
  for (int key = 0; key < 5; ++key) {
    for (int i = 0; i < 2000; ++i) s.Add(key, i % 2 == 0);
  }
  EXPECT_FALSE(s.exact());
  EXPECT_EQ(s.bound(), 2000u);  // the median of the four full counters
  for (const auto& c : s.Top(5, std::less<int>())) {
    EXPECT_GE(c.count, 2000u) << c.key;
    EXPECT_LE(c.count - c.error, 2000u) << c.key;
    EXPECT_GE(c.flagged, 1000u) << c.key;
    EXPECT_LE(c.flagged - std::min(c.flagged, c.error), 1000u) << c.key;
  }
}

// At the collector's own capacity, purges never grow the table.
TEST(HeavyHitters, TheCollectorsCapacityNeverGrows) {
  for (int top : {10, 100, 1000}) {
    HeavyHitters<uint64_t> s(SketchCapacity(top));
    s.Add(0);
    const size_t memory = s.MemoryBytes();
    for (uint64_t key = 1; key < 20 * SketchCapacity(top); ++key) s.Add(key);
    EXPECT_FALSE(s.exact()) << top;
    EXPECT_EQ(s.MemoryBytes(), memory) << top;
  }
}

// Through the builder: past capacity, a uniform table has no source above
// the noise; one heavy source is named first, and no light one with it.
TEST(MakeupBuilder, StandsOutOnlyAboveTheBound) {
  for (bool heavy : {false, true}) {
    MakeupOptions options;
    MakeupBuilder b(options);
    const uint32_t sources = 3 * static_cast<uint32_t>(SketchCapacity(10));
    std::mt19937 rng(5);
    uint64_t heavy_truth = 0;
    for (int i = 0; i < 400000; ++i) {
      FlowKey e;
      e.family = AF_INET;
      e.protocol = IPPROTO_UDP;
      uint32_t a =
          heavy && rng() % 10 < 3 ? 0x0a000001 : 0x0b000000 + rng() % sources;
      heavy_truth += a == 0x0a000001;
      a = htonl(a);
      std::memcpy(e.source.data(), &a, 4);
      e.destination_port = 53;
      b.Add(e);
    }
    TableMakeup m = b.Finish();
    ASSERT_TRUE(m.top_sources);
    EXPECT_FALSE(m.top_sources->exact);
    size_t standing = 0;
    for (const TopItem& t : m.top_sources->items)
      standing += StandsOut(*m.top_sources, t);
    if (!heavy) {
      EXPECT_EQ(standing, 0u);
    } else {
      EXPECT_EQ(standing, 1u);
      const TopItem& t = m.top_sources->items.front();
      EXPECT_EQ(t.address, "10.0.0.1");
      EXPECT_GE(t.entries, heavy_truth);
      EXPECT_LE(t.entries - t.error, heavy_truth);
      EXPECT_GE(t.unreplied, heavy_truth);  // every entry unreplied
      EXPECT_LE(t.unreplied - t.error, heavy_truth);
    }
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
  EXPECT_EQ(SketchCapacity(10), 6144u);
  EXPECT_EQ(SketchCapacity(100), 12288u);  // 64 x 100, up to 3/4 of 2^14
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

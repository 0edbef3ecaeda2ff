#include "exporter/doctor.h"

#include "gtest/gtest.h"

namespace nfce {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kGiB = 1024 * kMiB;

HostFacts Host(uint64_t ram, uint64_t entries, uint64_t limit, uint64_t buckets,
               int pointer_size = 8) {
  HostFacts f;
  f.flavor = ConntrackFlavor::kNfConntrack;
  f.ram_bytes = ram;
  f.pointer_size = pointer_size;
  f.entries = entries;
  f.limit = limit;
  f.buckets = buckets;
  f.object_size = 256;
  return f;
}

TEST(SeedLimit, ClassicRuleFor32And64Bit) {
  // RAM / 16384 / (word size / 32 bits)
  EXPECT_EQ(SeedLimit(8 * kGiB, 8), 262144u);
  EXPECT_EQ(SeedLimit(512 * kMiB, 4), 32768u);
  EXPECT_EQ(SeedLimit(512 * kMiB, 8), 16384u);
  EXPECT_EQ(SeedLimit(64 * kGiB, 8), 2097152u);
  EXPECT_EQ(SeedLimit(1 * kGiB, 4), 65536u);
}

TEST(Recommend, SixtyFourGiBHostGetsTheClassicLimitAtOneToOne) {
  Recommendation r = Recommend(Host(64 * kGiB, 100000, 262144, 262144));
  EXPECT_FALSE(r.limit_already_enough);
  EXPECT_EQ(r.limit, 2097152u);
  EXPECT_EQ(r.buckets, 2097152u);
  EXPECT_DOUBLE_EQ(r.memory_bytes, 2097152.0 * 256 + 2097152.0 * 8);  // 528 MiB
  EXPECT_NEAR(r.ram_share, 528.0 / (64 * 1024), 1e-9);
  EXPECT_FALSE(r.over_memory_budget);
  ASSERT_EQ(r.runtime_commands.size(), 2u);
  EXPECT_EQ(r.runtime_commands[0],
            "sysctl -w net.netfilter.nf_conntrack_max=2097152");
  EXPECT_EQ(r.runtime_commands[1],
            "echo 2097152 > /sys/module/nf_conntrack/parameters/hashsize");
  EXPECT_EQ(r.persistent_files[0],
            "/etc/sysctl.d/90-conntrack.conf: net.netfilter.nf_conntrack_max = "
            "2097152");
  EXPECT_EQ(r.persistent_files[1],
            "/etc/modprobe.d/nf_conntrack.conf: options nf_conntrack "
            "hashsize=2097152");
}

TEST(Recommend, SmallHostKeepsAnAdequateLimitAndWarnsAboutMemory) {
  // 512 MiB: the classic rule gives 16384; the floor is 65536.
  Recommendation idle = Recommend(Host(512 * kMiB, 1000, 65536, 65536));
  EXPECT_TRUE(idle.limit_already_enough);
  EXPECT_EQ(idle.limit, 65536u);
  EXPECT_TRUE(idle.runtime_commands.empty());
  // 200,000 entries: twice that, as a power of two, costs a quarter of RAM.
  Recommendation busy = Recommend(Host(512 * kMiB, 200000, 262144, 65536));
  EXPECT_EQ(busy.limit, 524288u);
  EXPECT_DOUBLE_EQ(busy.memory_bytes, 524288.0 * 264);
  EXPECT_TRUE(busy.over_memory_budget);
  Diagnosis d = Diagnose(Host(512 * kMiB, 200000, 262144, 65536));
  EXPECT_NE(d.reasons.back().find("of RAM (more than 5.0%)"),
            std::string::npos);
}

TEST(Recommend, ALimitAlreadyAboveTheRecommendationStays) {
  Recommendation r = Recommend(Host(8 * kGiB, 1000, 4194304, 262144));
  EXPECT_TRUE(r.limit_already_enough);
  EXPECT_EQ(r.limit, 4194304u);
  EXPECT_EQ(r.buckets, 4194304u);
  ASSERT_EQ(r.runtime_commands.size(), 1u);  // only the buckets
  EXPECT_EQ(r.runtime_commands[0],
            "echo 4194304 > /sys/module/nf_conntrack/parameters/hashsize");
}

TEST(Recommend, ThirtyTwoBitPointersCostFourBytesABucket) {
  Recommendation r = Recommend(Host(1 * kGiB, 1000, 16384, 16384, 4));
  EXPECT_EQ(r.limit, 65536u);
  EXPECT_DOUBLE_EQ(r.memory_bytes, 65536.0 * 256 + 65536.0 * 4);
}

TEST(Recommend, LegacyKernelUsesTheIpConntrackNames) {
  HostFacts f = Host(2 * kGiB, 40000, 65536, 8192);
  f.flavor = ConntrackFlavor::kLegacyIpConntrack;
  Recommendation r = Recommend(f);
  EXPECT_EQ(r.limit, 131072u);
  ASSERT_EQ(r.runtime_commands.size(), 2u);
  EXPECT_EQ(r.runtime_commands[0],
            "sysctl -w net.ipv4.netfilter.ip_conntrack_max=131072");
  EXPECT_EQ(r.runtime_commands[1],
            "echo 131072 > /sys/module/ip_conntrack/parameters/hashsize");
  EXPECT_EQ(r.persistent_files[0],
            "/etc/sysctl.conf: net.ipv4.netfilter.ip_conntrack_max = 131072");
  EXPECT_EQ(r.persistent_files[1],
            "/etc/modprobe.conf: options ip_conntrack hashsize=131072");
}

TEST(Diagnose, VerdictThresholds) {
  EXPECT_EQ(Diagnose(Host(8 * kGiB, 1000, 262144, 262144)).verdict,
            Verdict::kOk);
  EXPECT_EQ(Diagnose(Host(8 * kGiB, 196608, 262144, 262144)).verdict,
            Verdict::kWarning);  // exactly 75 %
  EXPECT_EQ(Diagnose(Host(8 * kGiB, 235930, 262144, 262144)).verdict,
            Verdict::kCritical);  // 90 %
  HostFacts dropped = Host(8 * kGiB, 1000, 262144, 262144);
  dropped.counters["drop"] = 3;
  EXPECT_EQ(Diagnose(dropped).verdict, Verdict::kWarning);  // not now
  dropped.table_full_lines = 1;
  EXPECT_EQ(Diagnose(dropped).verdict, Verdict::kCritical);
  HostFacts unlimited = Host(8 * kGiB, 1000, 0, 262144);
  EXPECT_EQ(Diagnose(unlimited).verdict, Verdict::kWarning);
  HostFacts none;
  EXPECT_EQ(Diagnose(none).verdict, Verdict::kOk);
  EXPECT_FALSE(Diagnose(none).recommendation.has_value());
}

}  // namespace
}  // namespace nfce

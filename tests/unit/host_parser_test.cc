// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/host.h"
#include "collectors/parse/kmsg.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(ParseMemTotalBytes, ReadsKibibytes) {
  EXPECT_EQ(*ParseMemTotalBytes("MemTotal:       24683432 kB\nMemFree: 1 kB\n"),
            uint64_t{24683432} * 1024);
  EXPECT_FALSE(ParseMemTotalBytes("MemFree: 1 kB\n").ok());
  EXPECT_FALSE(ParseMemTotalBytes("MemTotal: lots kB\n").ok());
}

TEST(CountCpus, CountsPerCpuLinesNotTheTotal) {
  EXPECT_EQ(CountCpus("cpu  1 2 3\ncpu0 1 2\ncpu1 3 4\nintr 5\n"), 2);
  EXPECT_EQ(CountCpus("intr 5\n"), 0);
}

TEST(ParseUptimeSeconds, FirstField) {
  EXPECT_DOUBLE_EQ(*ParseUptimeSeconds("350735.47 234388.90\n"), 350735.47);
  EXPECT_FALSE(ParseUptimeSeconds("soon").has_value());
}

TEST(KernelVersion, MajorAndMinor) {
  EXPECT_EQ(KernelVersion("6.18.44-foo"), std::make_pair(6, 18));
  EXPECT_EQ(KernelVersion("4.8.0"), std::make_pair(4, 8));
  EXPECT_EQ(KernelVersion("2.6.32-754.el6"), std::make_pair(2, 6));
  EXPECT_EQ(KernelVersion("garbage").first, 0);
}

TEST(ParseKmsgRecord, HeaderOnlyForTheLiveLog) {
  KmsgRecord live = ParseKmsgRecord(
      "4,1234,5000000,-;nf_conntrack: table full, dropping packet", true);
  EXPECT_DOUBLE_EQ(live.usec, 5000000);
  EXPECT_EQ(live.message, "nf_conntrack: table full, dropping packet");
  KmsgRecord saved = ParseKmsgRecord("[2.0] eth0: link up", false);
  EXPECT_EQ(saved.usec, 0);
  EXPECT_EQ(saved.message, "[2.0] eth0: link up");
}

}  // namespace
}  // namespace nfce

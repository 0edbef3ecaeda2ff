// SPDX-License-Identifier: Apache-2.0
#include "collectors/table.h"

#include "collectors/module.h"
#include "gtest/gtest.h"
#include "unit/fixtures.h"
#include "unit/metrics_helpers.h"

namespace nfce {
namespace {

using testing::FixtureTree;
using testing::Value;

TEST(DetectConntrack, RecognisesEachFixture) {
  EXPECT_EQ(DetectConntrack(FixtureTree("linux-6.18")),
            ConntrackFlavor::kNfConntrack);
  // PROC_COMPAT kernels have both names; nf_conntrack is this namespace's.
  EXPECT_EQ(DetectConntrack(FixtureTree("linux-2.6.32")),
            ConntrackFlavor::kNfConntrack);
  EXPECT_EQ(DetectConntrack(FixtureTree("linux-2.6.18-ip_conntrack")),
            ConntrackFlavor::kLegacyIpConntrack);
  EXPECT_EQ(DetectConntrack(FixtureTree("no-module")), ConntrackFlavor::kNone);
}

TEST(ReadTableLimits, ReadsSysctls) {
  auto t =
      ReadTableLimits(FixtureTree("linux-5.4"), ConntrackFlavor::kNfConntrack);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->limit, 262144u);
  EXPECT_EQ(*t->buckets, 65536u);
}

TEST(ReadTableLimits, FallsBackToHashsizeForBuckets) {
  auto t = ReadTableLimits(FixtureTree("linux-2.6.18-ip_conntrack"),
                           ConntrackFlavor::kLegacyIpConntrack);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->limit, 65536u);
  ASSERT_TRUE(t->buckets.ok()) << t->buckets.status();
  EXPECT_EQ(*t->buckets, 8192u);
}

TEST(ReadTableLimits, BucketsMissingEverywhereNamesBothPlaces) {
  Paths p = FixtureTree("linux-2.6.18-ip_conntrack");
  p.sysfs = testing::FixturePath("no-module/sys");
  auto t = ReadTableLimits(p, ConntrackFlavor::kLegacyIpConntrack);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_FALSE(t->buckets.ok());
  EXPECT_NE(t->buckets.status().message().find("ip_conntrack_buckets"),
            absl::string_view::npos);
  EXPECT_NE(t->buckets.status().message().find("hashsize"),
            absl::string_view::npos);
}

std::vector<prometheus::MetricFamily> CollectTable(const std::string& tree,
                                                   absl::Status* status) {
  Paths paths = FixtureTree(tree);
  TableCollector c(paths);
  std::vector<prometheus::MetricFamily> out;
  *status = c.Collect({DetectConntrack(paths)}, &out);
  return out;
}

TEST(TableCollector, Kernel54) {
  absl::Status status;
  auto out = CollectTable("linux-5.4", &status);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Value(out, "nf_conntrack_entries"), 70000);
  EXPECT_EQ(Value(out, "nf_conntrack_entries_limit"), 262144);
  EXPECT_EQ(Value(out, "nf_conntrack_buckets"), 65536);
  EXPECT_DOUBLE_EQ(*Value(out, "nf_conntrack_bucket_load"), 70000.0 / 65536);
}

TEST(TableCollector, Kernel2632UsesThisNamespacesCount) {
  absl::Status status;
  auto out = CollectTable("linux-2.6.32", &status);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Value(out, "nf_conntrack_entries"), 3000);  // not the compat 999999
}

TEST(TableCollector, LegacyIpConntrack) {
  absl::Status status;
  auto out = CollectTable("linux-2.6.18-ip_conntrack", &status);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Value(out, "nf_conntrack_entries"), 40000);
  EXPECT_EQ(Value(out, "nf_conntrack_buckets"), 8192);
}

TEST(TableCollector, MalformedCountFails) {
  Paths paths = FixtureTree("linux-6.18");
  paths.procfs = testing::FixturePath("malformed/table-huge-count/proc");
  TableCollector c(paths);
  std::vector<prometheus::MetricFamily> out;
  absl::Status status = c.Collect({ConntrackFlavor::kNfConntrack}, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace nfce

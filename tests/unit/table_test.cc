// SPDX-License-Identifier: Apache-2.0
#include "collectors/table.h"

#include "collectors/kernel/flavor.h"
#include "gtest/gtest.h"
#include "unit/fixtures.h"
#include "unit/metrics_helpers.h"

namespace nfce {
namespace {

using testing::FixtureTree;
using testing::Value;

ConntrackFlavor Detect(const std::string& tree) {
  return KernelView(FixtureTree(tree)).Detect();
}

TEST(KernelViewDetect, RecognisesEachFixture) {
  EXPECT_EQ(Detect("linux-6.18"), ConntrackFlavor::kNfConntrack);
  // PROC_COMPAT kernels have both names; nf_conntrack is this namespace's.
  EXPECT_EQ(Detect("linux-2.6.32"), ConntrackFlavor::kNfConntrack);
  EXPECT_EQ(Detect("linux-2.6.18-ip_conntrack"),
            ConntrackFlavor::kLegacyIpConntrack);
  EXPECT_EQ(Detect("no-module"), ConntrackFlavor::kNone);
}

// A fixture tree is not the running kernel: ctnetlink is never asked for it.
TEST(KernelView, ATreeIsNotTheRunningKernel) {
  KernelView tree(FixtureTree("linux-6.18"));
  EXPECT_FALSE(tree.running_kernel());
  absl::Status netlink = tree.NetlinkReady();
  EXPECT_EQ(netlink.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(netlink.message().find("--path.procfs"), absl::string_view::npos);
  EXPECT_TRUE(KernelView(Paths{}).running_kernel());
}

TEST(KernelViewLimits, ReadsSysctls) {
  auto t = KernelView(FixtureTree("linux-5.4"))
               .Limits(ConntrackFlavor::kNfConntrack);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->limit, 262144u);
  EXPECT_EQ(*t->buckets, 65536u);
}

TEST(KernelViewLimits, FallsBackToHashsizeForBuckets) {
  auto t = KernelView(FixtureTree("linux-2.6.18-ip_conntrack"))
               .Limits(ConntrackFlavor::kLegacyIpConntrack);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->limit, 65536u);
  ASSERT_TRUE(t->buckets.ok()) << t->buckets.status();
  EXPECT_EQ(*t->buckets, 8192u);
}

TEST(KernelViewLimits, BucketsMissingEverywhereNamesBothPlaces) {
  Paths p = FixtureTree("linux-2.6.18-ip_conntrack");
  p.sysfs = testing::FixturePath("no-module/sys");
  auto t = KernelView(p).Limits(ConntrackFlavor::kLegacyIpConntrack);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_FALSE(t->buckets.ok());
  EXPECT_NE(t->buckets.status().message().find("ip_conntrack_buckets"),
            absl::string_view::npos);
  EXPECT_NE(t->buckets.status().message().find("hashsize"),
            absl::string_view::npos);
}

std::vector<prometheus::MetricFamily> CollectTable(const std::string& tree,
                                                   absl::Status* status) {
  KernelView view(FixtureTree(tree));
  TableCollector c;
  std::vector<prometheus::MetricFamily> out;
  *status = c.Collect(ScrapeContext(view), &out);
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
  KernelView view(paths);
  TableCollector c;
  std::vector<prometheus::MetricFamily> out;
  absl::Status status =
      c.Collect(ScrapeContext(view, ConntrackFlavor::kNfConntrack), &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace nfce

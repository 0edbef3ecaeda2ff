// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "collectors/expect.h"
#include "collectors/slab.h"
#include "collectors/stat.h"
#include "collectors/timeouts.h"
#include "gtest/gtest.h"
#include "unit/fixtures.h"
#include "unit/metrics_helpers.h"

namespace nfce {
namespace {

using testing::FixturePath;
using testing::FixtureTree;
using testing::Value;

// A new context for each collection: it keeps what one scrape read.
ScrapeContext Nf(const KernelView& view) {
  return ScrapeContext(view, ConntrackFlavor::kNfConntrack);
}

TEST(StatCollector, SumsOverCpusFromProcfs) {
  KernelView view(FixtureTree("linux-6.18"));
  StatCollector c({});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(c.Collect(Nf(view), &out).ok());
  EXPECT_EQ(Value(out, "nf_conntrack_stat_drop_total"), 5);
  EXPECT_EQ(Value(out, "nf_conntrack_stat_insert_failed_total"), 7);
  EXPECT_EQ(Value(out, "nf_conntrack_stat_source_info", {{"source", "procfs"}}),
            1);
  EXPECT_FALSE(Value(out, "nf_conntrack_stat_entries_total").has_value());
  EXPECT_FALSE(Value(out, "nf_conntrack_stat_new_total").has_value());
}

TEST(StatCollector, PerCpuLabels) {
  KernelView view(FixtureTree("linux-6.18"));
  StatCollector c({StatSource::kAuto, true});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(c.Collect(Nf(view), &out).ok());
  EXPECT_EQ(Value(out, "nf_conntrack_stat_drop_total", {{"cpu", "0"}}), 2);
  EXPECT_EQ(Value(out, "nf_conntrack_stat_drop_total", {{"cpu", "1"}}), 3);
}

TEST(StatCollector, LegacyFileName) {
  KernelView view(FixtureTree("linux-2.6.18-ip_conntrack"));
  StatCollector c({});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(
      c.Collect(ScrapeContext(view, ConntrackFlavor::kLegacyIpConntrack), &out)
          .ok());
  EXPECT_EQ(Value(out, "nf_conntrack_stat_found_total"), 10000000);
}

TEST(StatCollector, ProcfsOnlyWithoutTheFileFails) {
  KernelView view(FixtureTree("no-stat-file"));
  StatCollector c({StatSource::kProcfs, false});
  std::vector<prometheus::MetricFamily> out;
  EXPECT_EQ(c.Collect(Nf(view), &out).code(), absl::StatusCode::kNotFound);
}

TEST(StatCollector, MalformedFileFailsWithFileName) {
  KernelView view(Paths{FixturePath("malformed/stat-non-hex/proc"), ""});
  StatCollector c({});
  std::vector<prometheus::MetricFamily> out;
  absl::Status s = c.Collect(Nf(view), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("net/stat/nf_conntrack"), absl::string_view::npos);
  EXPECT_TRUE(out.empty());
}

TEST(ExpectCollector, CountsTheLinesAndReadsTheLimit) {
  KernelView view(FixtureTree("linux-6.18"));
  ExpectCollector c({StatSource::kProcfs});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(c.Collect(Nf(view), &out).ok());
  EXPECT_EQ(Value(out, "nf_conntrack_expect_entries"), 3);
  EXPECT_EQ(Value(out, "nf_conntrack_expect_entries_limit"), 4096);
  EXPECT_EQ(
      Value(out, "nf_conntrack_expect_source_info", {{"source", "procfs"}}), 1);
}

TEST(ExpectCollector, KernelWithoutALimitStillCounts) {
  KernelView view(FixtureTree("linux-2.6.18-ip_conntrack"));
  ExpectCollector c({StatSource::kAuto});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(
      c.Collect(ScrapeContext(view, ConntrackFlavor::kLegacyIpConntrack), &out)
          .ok());
  EXPECT_EQ(Value(out, "nf_conntrack_expect_entries"), 1);
  EXPECT_FALSE(Value(out, "nf_conntrack_expect_entries_limit").has_value());
}

// No file on a tree of files: auto would ask ctnetlink, which speaks only
// for the running kernel; the collector fails and says why, the limit is
// still served.
TEST(ExpectCollector, NoFileOnATreeFailsClearly) {
  KernelView view(FixtureTree("no-stat-file"));
  ExpectCollector c({StatSource::kAuto});
  std::vector<prometheus::MetricFamily> out;
  absl::Status s = c.Collect(Nf(view), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_NE(s.message().find("running kernel"), absl::string_view::npos) << s;
  EXPECT_EQ(Value(out, "nf_conntrack_expect_entries_limit"), 4096);
  EXPECT_FALSE(Value(out, "nf_conntrack_expect_entries").has_value());
}

TEST(ExpectCollector, MalformedLimitFailsWithFileName) {
  KernelView view(Paths{FixturePath("malformed/expect-max-bad/proc"), ""});
  ExpectCollector c({StatSource::kProcfs});
  std::vector<prometheus::MetricFamily> out;
  absl::Status s = c.Collect(Nf(view), &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("nf_conntrack_expect_max"),
            absl::string_view::npos)
      << s;
}

TEST(SlabCollector, ReadsCacheAndWorksOutMemoryLimit) {
  KernelView view(FixtureTree("linux-5.4"));
  SlabCollector c;
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(c.Collect(Nf(view), &out).ok());
  LabelPairs cache = {{"cache", "nf_conntrack"}};
  EXPECT_EQ(Value(out, "nf_conntrack_slab_objects", cache), 70080);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_objects_active", cache), 70000);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_object_size_bytes", cache), 320);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_bytes", cache),
            2803.0 * 2 * sysconf(_SC_PAGESIZE));
  EXPECT_EQ(Value(out, "nf_conntrack_memory_limit_bytes"),
            262144.0 * 320 + 65536.0 * sizeof(void*));
  EXPECT_EQ(Value(out, "nf_conntrack_slabinfo_readable"), 1);
}

TEST(SlabCollector, PrefersTheSlubSysfsDirectory) {
  // slabinfo of this procfs has no conntrack row: the values must come from
  // <sysfs>/kernel/slab/nf_conntrack.
  KernelView view(
      Paths{FixturePath("no-module/proc"), FixturePath("no-stat-file/sys")});
  SlabCollector c;
  std::vector<prometheus::MetricFamily> out;
  // It fails on the missing table sysctls, not on the slab.
  EXPECT_EQ(c.Collect(Nf(view), &out).code(), absl::StatusCode::kNotFound);
  LabelPairs cache = {{"cache", "nf_conntrack"}};
  EXPECT_EQ(Value(out, "nf_conntrack_slabinfo_readable"), 1);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_objects_active", cache), 12345);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_objects", cache), 12400);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_object_size_bytes", cache), 256);
  EXPECT_EQ(Value(out, "nf_conntrack_slab_bytes", cache),
            775.0 * sysconf(_SC_PAGESIZE));
}

TEST(SlabCollector, GarbledSysfsAttributeFailsWithItsPath) {
  std::filesystem::path root =
      std::filesystem::path(::testing::TempDir()) / "garbled-sysfs";
  std::filesystem::remove_all(root);
  std::filesystem::copy(FixturePath("no-stat-file"), root,
                        std::filesystem::copy_options::recursive);
  std::ofstream(root / "sys/kernel/slab/nf_conntrack/slabs") << "many\n";
  KernelView view(Paths{(root / "proc").string(), (root / "sys").string()});
  SlabCollector c;
  std::vector<prometheus::MetricFamily> out;
  absl::Status s = c.Collect(Nf(view), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nf_conntrack/slabs"), absl::string_view::npos);
  EXPECT_EQ(Value(out, "nf_conntrack_slabinfo_readable"), 0);
  std::filesystem::remove_all(root);
}

TEST(SlabCollector, PerNamespaceCachesUseTheLargestObject) {
  KernelView view(FixtureTree("linux-2.6.32"));
  SlabCollector c;
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(c.Collect(Nf(view), &out).ok());
  EXPECT_EQ(Value(out, "nf_conntrack_memory_limit_bytes"),
            65536.0 * 312 + 16384.0 * sizeof(void*));
}

TEST(SlabCollector, MissingSlabinfoFallsBackToDefaultSizeAndFails) {
  // The table sysctls of 6.18 without /proc/slabinfo.
  std::filesystem::path root =
      std::filesystem::path(::testing::TempDir()) / "no-slabinfo";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "proc");
  std::filesystem::copy(FixturePath("linux-6.18/proc/sys"), root / "proc/sys",
                        std::filesystem::copy_options::recursive);
  KernelView view(Paths{(root / "proc").string(), (root / "sys").string()});
  SlabCollector c;
  std::vector<prometheus::MetricFamily> out;
  absl::Status s = c.Collect(Nf(view), &out);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("slabinfo"), absl::string_view::npos);
  EXPECT_EQ(Value(out, "nf_conntrack_slabinfo_readable"), 0);
  EXPECT_FALSE(Value(out, "nf_conntrack_slab_objects").has_value());
  EXPECT_EQ(Value(out, "nf_conntrack_memory_limit_bytes"),
            262144.0 * kDefaultConntrackObjectSize + 262144.0 * sizeof(void*));
  std::filesystem::remove_all(root);
}

TEST(SlabCollector, MalformedSlabinfoFails) {
  KernelView view(Paths{FixturePath("malformed/slab-garbled/proc"), ""});
  SlabCollector c;
  std::vector<prometheus::MetricFamily> out;
  EXPECT_EQ(c.Collect(Nf(view), &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Value(out, "nf_conntrack_slabinfo_readable"), 0);
}

TEST(TimeoutsCollector, ReadsEveryTimeoutSysctl) {
  KernelView view(FixtureTree("linux-5.4"));
  TimeoutsCollector c({absl::ZeroDuration()});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(c.Collect(Nf(view), &out).ok());
  EXPECT_EQ(Value(out, "nf_conntrack_timeout_seconds",
                  {{"protocol", "tcp"}, {"state", "established"}}),
            432000);
  EXPECT_EQ(Value(out, "nf_conntrack_timeout_seconds",
                  {{"protocol", "udp"}, {"state", "default"}}),
            30);
  EXPECT_FALSE(
      Value(out, "nf_conntrack_timeout_seconds", {{"protocol", "frag6"}})
          .has_value());
  EXPECT_EQ(out[0].metric.size(), 15u);  // 16 timeout files less frag6
}

TEST(TimeoutsCollector, LegacyNames) {
  KernelView view(FixtureTree("linux-2.6.18-ip_conntrack"));
  TimeoutsCollector c({absl::ZeroDuration()});
  std::vector<prometheus::MetricFamily> out;
  ASSERT_TRUE(
      c.Collect(ScrapeContext(view, ConntrackFlavor::kLegacyIpConntrack), &out)
          .ok());
  EXPECT_EQ(Value(out, "nf_conntrack_timeout_seconds",
                  {{"protocol", "tcp"}, {"state", "time_wait"}}),
            120);
}

TEST(TimeoutsCollector, BadValueFailsButServesTheRest) {
  KernelView view(Paths{FixturePath("malformed/timeouts-bad-value/proc"), ""});
  TimeoutsCollector c({absl::ZeroDuration()});
  std::vector<prometheus::MetricFamily> out;
  EXPECT_EQ(c.Collect(Nf(view), &out).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/scraper.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "collectors/stat.h"
#include "collectors/table.h"
#include "collectors/timeouts.h"
#include "exporter/doctor/facts.h"
#include "exporter/log.h"
#include "gtest/gtest.h"
#include "unit/fixtures.h"
#include "unit/metrics_helpers.h"

namespace nfce {
namespace {

using testing::FixtureTree;
using testing::Value;

std::vector<prometheus::MetricFamily> Scrape(const Paths& paths) {
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::make_unique<TableCollector>());
  collectors.push_back(std::make_unique<TimeoutsCollector>(TimeoutsOptions{}));
  return Scraper(std::make_shared<KernelView>(paths), std::move(collectors))
      .Collect();
}

TEST(Scraper, ReportsSuccessDurationAndBuildInfo) {
  auto out = Scrape(FixtureTree("linux-6.18"));
  EXPECT_EQ(Value(out, "nf_conntrack_module_loaded"), 1);
  EXPECT_EQ(Value(out, "nf_conntrack_scrape_collector_success",
                  {{"collector", "table"}}),
            1);
  EXPECT_TRUE(Value(out, "nf_conntrack_scrape_collector_duration_seconds",
                    {{"collector", "timeouts"}})
                  .has_value());
  EXPECT_EQ(Value(out, "nf_conntrack_exporter_build_info"), 1);
  EXPECT_EQ(Value(out, "nf_conntrack_entries"), 12345);
}

TEST(Scraper, MissingModuleIsANormalState) {
  auto out = Scrape(FixtureTree("no-module"));
  EXPECT_EQ(Value(out, "nf_conntrack_module_loaded"), 0);
  EXPECT_EQ(Value(out, "nf_conntrack_scrape_collector_success",
                  {{"collector", "table"}}),
            1);
  EXPECT_FALSE(Value(out, "nf_conntrack_entries").has_value());
}

TEST(Scraper, OneFailingCollectorDoesNotHideAnother) {
  Paths paths = FixtureTree("linux-6.18");
  paths.procfs = testing::FixturePath("malformed/table-huge-count/proc");
  auto out = Scrape(paths);
  EXPECT_EQ(Value(out, "nf_conntrack_scrape_collector_success",
                  {{"collector", "table"}}),
            0);
  // The overlay holds no timeout sysctls: the directory lists, nothing fails.
  EXPECT_EQ(Value(out, "nf_conntrack_scrape_collector_success",
                  {{"collector", "timeouts"}}),
            1);
}

}  // namespace
}  // namespace nfce

namespace nfce {
namespace {

TEST(Scraper, PicksUpTheModuleWhenItAppearsWithoutARestart) {
  std::filesystem::path root =
      std::filesystem::path(::testing::TempDir()) / "module-appears";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "proc/sys/net");
  Paths paths{(root / "proc").string(), (root / "sys").string()};
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::make_unique<TableCollector>());
  Scraper scraper(std::make_shared<KernelView>(paths), std::move(collectors));

  auto before = scraper.Collect();
  EXPECT_EQ(Value(before, "nf_conntrack_module_loaded"), 0);
  EXPECT_FALSE(Value(before, "nf_conntrack_entries").has_value());

  std::filesystem::copy(
      testing::FixturePath("linux-6.18/proc/sys/net/netfilter"),
      root / "proc/sys/net/netfilter",
      std::filesystem::copy_options::recursive);
  auto after = scraper.Collect();
  EXPECT_EQ(Value(after, "nf_conntrack_module_loaded"), 1);
  EXPECT_EQ(Value(after, "nf_conntrack_entries"), 12345);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace nfce
namespace nfce {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(Scraper, LogsAnErrorOnceUntilItChangesAndTheRecovery) {
  std::filesystem::path root =
      std::filesystem::path(::testing::TempDir()) / "flapping";
  std::filesystem::remove_all(root);
  std::filesystem::copy(testing::FixturePath("linux-6.18"), root,
                        std::filesystem::copy_options::recursive);
  auto write_count = [&](const std::string& text) {
    std::ofstream(root / "proc/sys/net/netfilter/nf_conntrack_count") << text;
  };
  Paths paths{(root / "proc").string(), (root / "sys").string()};
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::make_unique<TableCollector>());
  Scraper scraper(std::make_shared<KernelView>(paths), std::move(collectors));
  SetLogLevel(LogLevel::kInfo);

  ::testing::internal::CaptureStderr();
  write_count("garbage\n");
  scraper.Collect();
  scraper.Collect();  // same error: not logged again at info level
  write_count("-1\n");
  scraper.Collect();  // a different error: logged
  write_count("10\n");
  scraper.Collect();
  scraper.Collect();
  std::string log = ::testing::internal::GetCapturedStderr();

  EXPECT_EQ(Count(log, "msg=\"collector failed\""), 2u) << log;
  EXPECT_EQ(Count(log, "level=error"), 2u) << log;
  EXPECT_EQ(Count(log, "msg=\"collector recovered\" collector=\"table\""), 1u)
      << log;
  std::filesystem::remove_all(root);
}

// A tree whose stat file the test rewrites: two CPUs, `found` and `insert`.
class ReloadTree {
 public:
  explicit ReloadTree(const std::string& name)
      : root_(std::filesystem::path(::testing::TempDir()) / name) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "proc/net/stat");
    std::filesystem::copy(testing::FixturePath("linux-6.18/proc/sys"),
                          root_ / "proc/sys",
                          std::filesystem::copy_options::recursive);
  }
  ~ReloadTree() { std::filesystem::remove_all(root_); }
  Paths paths() const {
    return {(root_ / "proc").string(), (root_ / "sys").string()};
  }
  // Writes the stat file in place (same inode) or by rename (a new one).
  void Stat(uint32_t found, uint32_t insert, bool rename = false) {
    char row[64];
    std::snprintf(row, sizeof(row), "00000010 %08x %08x\n", found, insert);
    std::string text = std::string("entries found insert\n") + row + row;
    auto file = root_ / "proc/net/stat/nf_conntrack";
    auto target = rename ? root_ / "proc/net/stat/next" : file;
    std::ofstream(target, std::ios::trunc) << text;
    if (rename) std::filesystem::rename(target, file);
  }
  void Unload() {
    std::filesystem::rename(root_ / "proc/sys/net/netfilter",
                            root_ / "proc/sys/net/unloaded");
  }
  void Load() {
    std::filesystem::rename(root_ / "proc/sys/net/unloaded",
                            root_ / "proc/sys/net/netfilter");
  }

 private:
  std::filesystem::path root_;
};

std::unique_ptr<Scraper> StatScraper(std::shared_ptr<const KernelView> view,
                                     StatOptions options = {}) {
  std::vector<std::unique_ptr<Collector>> collectors;
  options.source = StatSource::kProcfs;
  collectors.push_back(std::make_unique<StatCollector>(options));
  return std::make_unique<Scraper>(std::move(view), std::move(collectors));
}
std::unique_ptr<Scraper> StatScraper(const Paths& paths) {
  return StatScraper(std::make_shared<KernelView>(paths));
}

TEST(Scraper, CountersStartAgainAfterAReloadSeenAsAnAbsentModule) {
  ReloadTree tree("reload-absent");
  tree.Stat(1024, 10);
  auto scraper = StatScraper(tree.paths());
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"), 2048);
  tree.Unload();
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_module_loaded"), 0);
  // Back, counting from zero: found = 2 per CPU, not 2^32 + 2 per CPU.
  tree.Stat(2, 0);
  tree.Load();
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"), 4);
}

TEST(Scraper, CountersStartAgainAfterAReloadBetweenTwoScrapes) {
  ReloadTree tree("reload-between");
  tree.Stat(1024, 10);
  auto scraper = StatScraper(tree.paths());
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"), 2048);
  // The kernel recreated the file (a new inode), values back near zero.
  tree.Stat(2, 1, /*rename=*/true);
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"), 4);
  // The same file, every counter of each CPU lower at once: a restart too.
  tree.Stat(1000, 20);
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"), 2000);
  tree.Stat(1, 0);
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_insert_total"), 0);
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"), 2);
}

TEST(Scraper, ARealWrapStillCarriesOn) {
  ReloadTree tree("reload-wrap");
  tree.Stat(0xfffffff0u, 10);
  auto scraper = StatScraper(tree.paths());
  scraper->Collect();
  tree.Stat(0x10, 12);  // found wrapped on both CPUs, insert moved on
  EXPECT_EQ(Value(scraper->Collect(), "nf_conntrack_stat_found_total"),
            2 * (4294967296.0 + 0x10));
}

TEST(Scraper, TheStatusPageDoctorSeesTheSameCountersAfterAWrap) {
  ReloadTree tree("doctor-wrap");
  tree.Stat(0xfffffff0u, 10);
  // As main() hands them to the collector and the page: one view, one state.
  Paths paths = tree.paths();
  paths.kmsg = "";
  auto view = std::make_shared<KernelView>(paths);
  StatOptions shared;
  auto scraper = StatScraper(view, shared);
  scraper->Collect();
  tree.Stat(0x10, 12);
  auto metrics = scraper->Collect();
  GatherOptions o;
  o.dump_flows = false;
  o.stat = shared;
  HostFacts facts = GatherFacts(*view, o);
  ASSERT_TRUE(facts.counters_read) << facts.counters_note;
  EXPECT_EQ(static_cast<double>(facts.counters.at("found")),
            *Value(metrics, "nf_conntrack_stat_found_total"));
  EXPECT_EQ(facts.counters.at("found"), 2 * (uint64_t{1} << 32) + 0x20);
}

}  // namespace
}  // namespace nfce

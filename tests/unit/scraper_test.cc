#include "exporter/scraper.h"

#include <filesystem>
#include <fstream>

#include "collectors/table.h"
#include "collectors/timeouts.h"
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
  collectors.push_back(std::make_unique<TableCollector>(paths));
  collectors.push_back(std::make_unique<TimeoutsCollector>(paths));
  return Scraper(paths, std::move(collectors)).Collect();
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
  collectors.push_back(std::make_unique<TableCollector>(paths));
  Scraper scraper(paths, std::move(collectors));

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
  collectors.push_back(std::make_unique<TableCollector>(paths));
  Scraper scraper(paths, std::move(collectors));
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

}  // namespace
}  // namespace nfce

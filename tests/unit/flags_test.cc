// SPDX-License-Identifier: Apache-2.0
#include "exporter/flags/exporter_flags.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

absl::StatusOr<Options> Parse(std::vector<std::string> args) {
  return ParseFlags(args);
}

TEST(ParseFlags, Defaults) {
  auto o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->http.listen_addresses, std::vector<std::string>{":19372"});
  EXPECT_EQ(o->http.telemetry_path, "/metrics");
  EXPECT_EQ(o->paths.procfs, "/proc");
  EXPECT_EQ(o->paths.sysfs, "/sys");
  for (const char* c : {"table", "stat", "slab", "timeouts"}) {
    EXPECT_TRUE(o->collectors.at(c)) << c;
  }
  for (const char* c : {"flows", "events", "netns"}) {
    EXPECT_FALSE(o->collectors.at(c)) << c << " is opt-in";
  }
  EXPECT_EQ(o->stat.source, StatSource::kAuto);
  EXPECT_FALSE(o->stat.per_cpu);
  EXPECT_EQ(o->flows.interval, absl::Seconds(30));
  EXPECT_EQ(o->flows.top, 10);
  EXPECT_EQ(o->timeouts.max_age, absl::Minutes(1));
  EXPECT_EQ(o->http.request_timeout, absl::Seconds(10));
  EXPECT_EQ(o->http.max_connections, 256);
}

// --help shows each default as it is in the options, written once.
TEST(HelpText, ShowsTheDefaultsOfTheOptions) {
  std::string help = HelpText("x");
  for (const char* shown :
       {"--web.listen-address=\":19372\"", "--web.max-requests=40",
        "--web.request-timeout=10s", "--collector.timeouts.max-age=1m",
        "--collector.flows.interval=30s", "--collector.flows.top=10",
        "--collector.stat.source=auto", "--log.level=info",
        "--[no-]collector.flows  (off by default)",
        "--[no-]collector.table  (on by default)", "-h, --help"}) {
    EXPECT_NE(help.find(shown), std::string::npos) << shown << "\n" << help;
  }
  // Every line fits a terminal.
  size_t start = 0;
  for (size_t nl = help.find('\n'); nl != std::string::npos;
       start = nl + 1, nl = help.find('\n', start)) {
    EXPECT_LE(nl - start, 78u) << help.substr(start, nl - start);
  }
}

TEST(ParseFlags, OptInCollectorOptions) {
  auto o =
      Parse({"--collector.flows", "--collector.flows.interval=5s",
             "--collector.flows.budget=2s", "--collector.flows.max-zones=4",
             "--collector.flows.top=0", "--collector.events.buffer-bytes=65536",
             "--collector.netns.max=3"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->collectors.at("flows"));
  EXPECT_EQ(o->flows.interval, absl::Seconds(5));
  EXPECT_EQ(o->flows.budget, absl::Seconds(2));
  EXPECT_EQ(o->flows.max_zones, 4);
  EXPECT_EQ(o->flows.top, 0);  // 0 turns the top lists off
  EXPECT_EQ(o->events.buffer_bytes, 65536);
  EXPECT_EQ(o->netns.max, 3);
}

TEST(ParseFlags, ValuesWithEqualsOrSpace) {
  auto o = Parse({"--web.listen-address=127.0.0.1:9999", "--path.procfs",
                  "/host/proc", "--collector.stat.source", "netlink",
                  "--log.level=debug", "--web.telemetry-path=/m"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->http.listen_addresses,
            std::vector<std::string>{"127.0.0.1:9999"});
  EXPECT_EQ(o->paths.procfs, "/host/proc");
  EXPECT_EQ(o->stat.source, StatSource::kNetlink);
  EXPECT_EQ(o->log_level, LogLevel::kDebug);
  EXPECT_EQ(o->http.telemetry_path, "/m");
}

// Repeated, the listen address adds: the first use replaces the default.
TEST(ParseFlags, ListenAddressRepeats) {
  auto o = Parse({"--web.listen-address=[::1]:9999", "--web.listen-address",
                  "127.0.0.1:9998"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->http.listen_addresses,
            (std::vector<std::string>{"[::1]:9999", "127.0.0.1:9998"}));
}

TEST(ParseFlags, CollectorSwitches) {
  auto o = Parse({"--no-collector.slab", "--collector.stat.per-cpu",
                  "--collector.timeouts=false"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->collectors.at("slab"));
  EXPECT_FALSE(o->collectors.at("timeouts"));
  EXPECT_TRUE(o->collectors.at("table"));
  EXPECT_TRUE(o->stat.per_cpu);
}

TEST(ParseFlags, DisableDefaultsKeepsOnlyNamedCollectors) {
  auto o = Parse({"--collector.disable-defaults", "--collector.table"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->collectors.at("table"));
  EXPECT_FALSE(o->collectors.at("stat"));
  EXPECT_FALSE(o->collectors.at("slab"));
}

TEST(ParseFlags, WebOptions) {
  auto o = Parse({"--web.request-timeout=2s", "--web.config.file=/etc/web.yml",
                  "--web.status.sample-interval=500ms",
                  "--collector.timeouts.max-age=0s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->http.request_timeout, absl::Seconds(2));
  EXPECT_EQ(o->web_config_file, "/etc/web.yml");
  EXPECT_EQ(o->status_sample_interval, absl::Milliseconds(500));
  EXPECT_EQ(o->timeouts.max_age, absl::ZeroDuration());
  for (const char* bad :
       {"--web.request-timeout=1ms", "--web.request-timeout=1h",
        "--web.status.sample-interval=1ms",
        "--collector.timeouts.max-age=-1s"}) {
    EXPECT_FALSE(Parse({bad}).ok()) << bad;
  }
}

TEST(ParseFlags, HelpAndVersion) {
  EXPECT_TRUE(Parse({"--help"})->show_help);
  EXPECT_TRUE(Parse({"-h"})->show_help);
  EXPECT_TRUE(Parse({"--version"})->show_version);
  std::string help = HelpText("x");
  for (const char* flag :
       {"--web.listen-address", "--web.telemetry-path", "--path.procfs",
        "--path.sysfs", "--[no-]collector.stat", "--collector.stat.source",
        "--log.level", "--version"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

TEST(ParseFlags, RejectsBadInput) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--collector.bogus"},
           {"--no-such-flag"},
           {"stray"},
           {"--path.procfs"},
           {"--collector.stat.source=files"},
           {"--log.level=loud"},
           {"--collector.slab=maybe"},
           {"--no-collector.slab=true"},
           {"--web.telemetry-path=metrics"},
           {"--web.telemetry-path=/"},
           {"--web.max-requests=-1"},
           {"--web.max-requests=+8"},
           {"--web.max-requests= 8"},
           {"--web.telemetry-path=/-/healthy"},
           {"--web.telemetry-path=/-/ready"},
           {"--web.telemetry-path=/metrics?x=1"},
           {"--web.telemetry-path=/met rics"},
           {"--web.max-connections=0"},
           {"--no-path.procfs"},
           {"--collector.flows.interval=500ms"},
           {"--collector.flows.budget=soon"},
           {"--collector.flows.top=-1"},
           {"--collector.flows.top=1001"},
           {"--collector.events.buffer-bytes=12"},
           {"--collector.netns.max=0"}}) {
    auto o = Parse(args);
    EXPECT_FALSE(o.ok()) << args[0];
    if (!o.ok()) {
      EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace nfce

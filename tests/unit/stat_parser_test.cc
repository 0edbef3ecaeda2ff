// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/stat_parser.h"

#include <algorithm>
#include <map>
#include <set>

#include "collectors/parse/counters.h"
#include "gtest/gtest.h"
#include "unit/fixtures.h"

namespace nfce {
namespace {

using testing::ReadFixture;

// Sum over CPUs of each counter, by name.
std::map<std::string, uint64_t> Sums(const StatSnapshot& s) {
  std::map<std::string, uint64_t> out;
  for (size_t i = 0; i < s.names.size(); ++i) {
    for (const auto& cpu : s.cpus) out[s.names[i]] += cpu.values[i];
  }
  return out;
}

bool Has(const StatSnapshot& s, const std::string& name) {
  return std::find(s.names.begin(), s.names.end(), name) != s.names.end();
}

TEST(ParseProcStat, Kernel618MapsRenamedHeadersAndDropsDeadColumns) {
  absl::StatusOr<StatSnapshot> s =
      ParseProcStat(ReadFixture("linux-6.18/proc/net/stat/nf_conntrack"));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->cpus.size(), 2u);
  EXPECT_EQ(s->cpus[1].id, 1);
  auto sums = Sums(*s);
  EXPECT_EQ(sums["clash_resolve"], 10u);
  EXPECT_EQ(sums["chaintoolong"], 3u);
  EXPECT_EQ(sums["found"], 0x1f4u + 0x190u);
  EXPECT_EQ(sums["insert"], 0x1000u + 0x2039u);
  EXPECT_EQ(sums["insert_failed"], 7u);
  EXPECT_EQ(sums["drop"], 5u);
  EXPECT_EQ(sums["early_drop"], 5u);
  EXPECT_EQ(sums["icmp_error"], 1u);
  EXPECT_EQ(sums["search_restart"], 7u);
  // `entries` repeats the table size and the placeholders print 0.
  for (const char* gone :
       {"entries", "new", "ignore", "delete", "chainlength", "clashres"}) {
    EXPECT_FALSE(Has(*s, gone)) << gone;
  }
  EXPECT_EQ(s->names.size(), 13u);
}

TEST(ParseProcStat, Kernel54KeepsOldColumns) {
  absl::StatusOr<StatSnapshot> s =
      ParseProcStat(ReadFixture("linux-5.4/proc/net/stat/nf_conntrack"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cpus.size(), 4u);
  for (const char* name : {"searched", "ignore", "delete_list", "new"}) {
    EXPECT_TRUE(Has(*s, name)) << name;
  }
  EXPECT_FALSE(Has(*s, "clash_resolve"));
  EXPECT_FALSE(Has(*s, "chaintoolong"));
  auto sums = Sums(*s);
  EXPECT_EQ(sums["ignore"], 0xa000u);
  // A per-CPU value at 2^32-1 must not overflow the 64-bit sum.
  EXPECT_EQ(sums["insert"], 0x60000ull + 0xffffffffull);
}

TEST(ParseProcStat, Kernel2632Has16Columns) {
  absl::StatusOr<StatSnapshot> s =
      ParseProcStat(ReadFixture("linux-2.6.32/proc/net/stat/nf_conntrack"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->names.size(), 15u);  // 16 columns less `entries`
  EXPECT_FALSE(Has(*s, "search_restart"));
  auto sums = Sums(*s);
  EXPECT_EQ(sums["searched"], 0x12d687u + 0xf4240u);
  EXPECT_EQ(sums["drop"], 10u);
  EXPECT_EQ(sums["early_drop"], 4u);
}

TEST(ParseProcStat, LegacyIpConntrackFile) {
  absl::StatusOr<StatSnapshot> s = ParseProcStat(
      ReadFixture("linux-2.6.18-ip_conntrack/proc/net/stat/ip_conntrack"));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->cpus.size(), 1u);
  EXPECT_EQ(Sums(*s)["searched"], 100000000u);
}

TEST(ParseProcStat, UnknownFutureColumnsAreKeptByName) {
  absl::StatusOr<StatSnapshot> s = ParseProcStat(
      "entries clashres found new-thing\n00000001 00000002 00000003 "
      "0000000a\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(Has(*s, "new_thing"));
  EXPECT_EQ(Sums(*s)["new_thing"], 10u);
}

struct MalformedCase {
  const char* overlay;
  absl::StatusCode code;
  const char* message;
};

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.overlay; }

class ParseProcStatMalformed : public ::testing::TestWithParam<MalformedCase> {
};

TEST_P(ParseProcStatMalformed, GivesAClearError) {
  const MalformedCase& c = GetParam();
  absl::StatusOr<StatSnapshot> s = ParseProcStat(ReadFixture(
      std::string("malformed/") + c.overlay + "/proc/net/stat/nf_conntrack"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), c.code);
  EXPECT_NE(s.status().message().find(c.message), absl::string_view::npos)
      << s.status();
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ParseProcStatMalformed,
    ::testing::Values(
        MalformedCase{"stat-truncated-row", absl::StatusCode::kInvalidArgument,
                      "row 2 has 3 fields, header has 17"},
        MalformedCase{"stat-non-hex", absl::StatusCode::kInvalidArgument,
                      "\"0000zz01\" is not a hex number"},
        MalformedCase{"stat-missing-header", absl::StatusCode::kInvalidArgument,
                      "missing header"},
        MalformedCase{"stat-empty", absl::StatusCode::kInvalidArgument,
                      "empty file"},
        MalformedCase{"stat-huge-value", absl::StatusCode::kOutOfRange,
                      "exceeds 32 bits"}),
    [](const auto& info) {
      std::string name = info.param.overlay;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(ParseProcStat, HeaderWithoutRowsIsAnError) {
  EXPECT_FALSE(ParseProcStat("entries found drop\n").ok());
}

TEST(ParseProcStat, DuplicateColumnIsAnError) {
  EXPECT_FALSE(ParseProcStat("entries drop drop\n1 2 3\n").ok());
}

TEST(ParseProcStat, LeadingZerosDoNotCountAsWidth) {
  absl::StatusOr<StatSnapshot> s =
      ParseProcStat("entries drop\n00000001 000000000000ffffffff\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->cpus[0].values[0], 0xffffffffu);
}

TEST(CounterTable, AttributesAsInNfnetlinkConntrack) {
  // ctnetlink attribute numbers as in nfnetlink_conntrack.h.
  auto name = [](int a) {
    const CounterInfo* c = CounterOfAttribute(a);
    return c ? std::string(c->name) : std::string();
  };
  EXPECT_EQ(name(2), "found");
  EXPECT_EQ(name(9), "insert_failed");
  EXPECT_EQ(name(10), "drop");
  EXPECT_EQ(name(11), "early_drop");
  EXPECT_EQ(name(12), "icmp_error");
  EXPECT_EQ(name(14), "clash_resolve");
  EXPECT_EQ(name(15), "chaintoolong");
  EXPECT_EQ(name(99), "");
  EXPECT_EQ(name(0), "");
  // Every name ctnetlink can send is one the proc parser would export.
  for (int a = 1; a <= 15; ++a) {
    const CounterInfo* c = CounterOfAttribute(a);
    ASSERT_NE(c, nullptr) << a;
    std::optional<std::string> proc =
        StatColumnName(c->header, /*modern_layout=*/false);
    ASSERT_TRUE(proc.has_value());
    EXPECT_EQ(*proc, c->name);
  }
}

// The expectation statistics message numbers its attributes apart
// (CTA_STATS_EXP_*), and its counters are the proc file's expect_* columns:
// the metric set is the same from either source.
TEST(CounterTable, ExpectationAttributesAsInNfnetlinkConntrack) {
  auto name = [](int a) {
    const CounterInfo* c = CounterOfExpectAttribute(a);
    return c ? std::string(c->name) : std::string();
  };
  EXPECT_EQ(name(1), "expect_new");
  EXPECT_EQ(name(2), "expect_create");
  EXPECT_EQ(name(3), "expect_delete");
  EXPECT_EQ(name(0), "");
  EXPECT_EQ(name(4), "");
  for (int a = 1; a <= 3; ++a) {
    std::optional<std::string> proc = StatColumnName(
        CounterOfExpectAttribute(a)->header, /*modern_layout=*/true);
    ASSERT_TRUE(proc.has_value()) << a;
    EXPECT_EQ(*proc, name(a));
  }
}

TEST(CounterTable, NamesAndHeadersAreUniqueAndEachHasHelp) {
  std::set<absl::string_view> names, headers;
  for (const CounterInfo& c : Counters()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_TRUE(headers.insert(c.header).second) << c.header;
    EXPECT_FALSE(c.help.empty()) << c.name;
    EXPECT_EQ(CounterNamed(c.name), &c);
  }
  // A counter a newer kernel adds still gets HELP.
  EXPECT_NE(CounterHelp("brand_new").find("brand_new"), std::string::npos);
}

TEST(CounterTable, ReportsListDropFirstAndInvalidLast) {
  const std::vector<absl::string_view>& r = ReportedCounters();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r.front(), "drop");
  EXPECT_EQ(r.back(), "invalid");
}

}  // namespace
}  // namespace nfce

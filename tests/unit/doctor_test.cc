// SPDX-License-Identifier: Apache-2.0
#include <fstream>
#include <iterator>
#include <set>

#include "collectors/parse/kmsg.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/render/phrases.h"
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
  f.counters_read = true;
  return f;
}

std::vector<std::string> Runtime(const Recommendation& r) {
  std::vector<std::string> out;
  for (const Step& s : r.steps) {
    if (!s.persistent) out.push_back(s.text);
  }
  return out;
}

std::vector<std::string> Persistent(const Recommendation& r) {
  std::vector<std::string> out;
  for (const Step& s : r.steps) {
    if (s.persistent) out.push_back(s.text);
  }
  return out;
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
  ASSERT_EQ(Runtime(r).size(), 2u);
  EXPECT_EQ(Runtime(r)[0], "sysctl -w net.netfilter.nf_conntrack_max=2097152");
  EXPECT_EQ(Runtime(r)[1],
            "echo 2097152 > /sys/module/nf_conntrack/parameters/hashsize");
  EXPECT_EQ(Persistent(r)[0],
            "/etc/sysctl.d/90-conntrack.conf: net.netfilter.nf_conntrack_max = "
            "2097152");
  EXPECT_EQ(Persistent(r)[1],
            "/etc/modprobe.d/nf_conntrack.conf: options nf_conntrack "
            "hashsize=2097152");
}

TEST(Recommend, SmallHostKeepsAnAdequateLimitAndWarnsAboutMemory) {
  // 512 MiB: the classic rule gives 16384; the floor is 65536.
  Recommendation idle = Recommend(Host(512 * kMiB, 1000, 65536, 65536));
  EXPECT_TRUE(idle.limit_already_enough);
  EXPECT_EQ(idle.limit, 65536u);
  EXPECT_TRUE(Runtime(idle).empty());
  // 200,000 entries: twice that, as a power of two, costs a quarter of RAM.
  Recommendation busy = Recommend(Host(512 * kMiB, 200000, 262144, 65536));
  EXPECT_EQ(busy.limit, 524288u);
  EXPECT_DOUBLE_EQ(busy.memory_bytes, 524288.0 * 264);
  EXPECT_TRUE(busy.over_memory_budget);
  Diagnosis d = Diagnose(Host(512 * kMiB, 200000, 262144, 65536));
  EXPECT_EQ(d.reasons.back().code(), "recommendation_costly");
  EXPECT_NE(ReasonText(d.reasons.back()).find("of RAM (more than 5.0%)"),
            std::string::npos);
}

TEST(Recommend, ALimitAlreadyAboveTheRecommendationStays) {
  Recommendation r = Recommend(Host(8 * kGiB, 1000, 4194304, 262144));
  EXPECT_TRUE(r.limit_already_enough);
  EXPECT_EQ(r.limit, 4194304u);
  EXPECT_EQ(r.buckets, 4194304u);
  ASSERT_EQ(Runtime(r).size(), 1u);  // only the buckets
  EXPECT_EQ(Runtime(r)[0],
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
  ASSERT_EQ(Runtime(r).size(), 2u);
  EXPECT_EQ(Runtime(r)[0],
            "sysctl -w net.ipv4.netfilter.ip_conntrack_max=131072");
  EXPECT_EQ(Runtime(r)[1],
            "echo 131072 > /sys/module/ip_conntrack/parameters/hashsize");
  EXPECT_EQ(Persistent(r)[0],
            "/etc/sysctl.conf: net.ipv4.netfilter.ip_conntrack_max = 131072");
  EXPECT_EQ(Persistent(r)[1],
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
  dropped.kernel_log = TableFullLines{{1, false, "table full"}, {}};
  EXPECT_EQ(Diagnose(dropped).verdict, Verdict::kCritical);
  HostFacts unlimited = Host(8 * kGiB, 1000, 0, 262144);
  EXPECT_EQ(Diagnose(unlimited).verdict, Verdict::kWarning);
  HostFacts none;
  EXPECT_EQ(Diagnose(none).verdict, Verdict::kOk);
  EXPECT_FALSE(Diagnose(none).recommendation.has_value());
}

bool HasStep(const std::vector<Step>& steps, Step::Where where, bool persistent,
             const std::string& text) {
  for (const Step& s : steps) {
    if (s.where == where && s.persistent == persistent && s.text == text) {
      return true;
    }
  }
  return false;
}

bool AnyStepContains(const std::vector<Step>& steps, const std::string& part) {
  for (const Step& s : steps) {
    if (s.text.find(part) != std::string::npos) return true;
  }
  return false;
}

template <typename T>
const Finding* Find(const Diagnosis& d) {
  for (const Finding& r : d.reasons) {
    if (r.As<T>()) return &r;
  }
  return nullptr;
}

// A full table's verdict scales with what it can evict: mostly unassured is
// a warning with the evictable count, mostly assured is critical, and
// assured alone past the critical share is full_of_assured.
TEST(Diagnose, HeadroomScalesTheVerdict) {
  HostFacts f = Host(8 * kGiB, 262144, 262144, 262144);
  f.makeup.emplace();
  f.makeup->total = 262144;
  f.makeup->assured = 10000;
  Diagnosis d = Diagnose(f);
  const Finding* critical = Find<finding::TableCritical>(d);
  ASSERT_NE(critical, nullptr);
  EXPECT_EQ(critical->severity, Severity::kWarning);
  EXPECT_EQ(*critical->As<finding::TableCritical>()->evictable, 252144u);
  EXPECT_EQ(Find<finding::FullOfAssured>(d), nullptr);
  EXPECT_EQ(d.verdict, Verdict::kWarning);

  f.makeup->assured = 200000;  // 76 %: between the two shares
  d = Diagnose(f);
  EXPECT_EQ(Find<finding::TableCritical>(d)->severity, Severity::kCritical);
  EXPECT_EQ(Find<finding::FullOfAssured>(d), nullptr);

  f.makeup->assured = 250000;  // 95 %
  f.timeouts["tcp_timeout_established"] = 432000;
  d = Diagnose(f);
  const Finding* full = Find<finding::FullOfAssured>(d);
  ASSERT_NE(full, nullptr);
  EXPECT_EQ(full->severity, Severity::kCritical);
  EXPECT_EQ(full->As<finding::FullOfAssured>()->assured, 250000u);
  EXPECT_TRUE(AnyStepContains(full->steps, "tcp_timeout_established=86400"));
  EXPECT_EQ(d.verdict, Verdict::kCritical);
}

TEST(Diagnose, ExpectationTable) {
  HostFacts f = Host(8 * kGiB, 1000, 262144, 262144);
  f.expect_limit = 4096;
  f.expect_entries = 100;
  EXPECT_EQ(Diagnose(f).verdict, Verdict::kOk);

  // Lines in the log, this namespace far from its limit: another
  // namespace's, perhaps; a note.
  f.kernel_log = TableFullLines{{}, {2, true, "expectation table full"}};
  Diagnosis d = Diagnose(f);
  const Finding* log = Find<finding::KernelLogExpectFull>(d);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->severity, Severity::kNote);
  EXPECT_FALSE(log->As<finding::KernelLogExpectFull>()->here);
  EXPECT_EQ(d.verdict, Verdict::kOk);

  // Near the limit with lines: critical, and the steps raise the limit on
  // the host and at boot.
  f.expect_entries = 4000;
  d = Diagnose(f);
  const Finding* near = Find<finding::ExpectNearlyFull>(d);
  ASSERT_NE(near, nullptr);
  EXPECT_EQ(near->severity, Severity::kWarning);
  EXPECT_TRUE(HasStep(near->steps, Step::Where::kHost, false,
                      "sysctl -w net.netfilter.nf_conntrack_expect_max=8192"));
  EXPECT_TRUE(
      AnyStepContains(near->steps, "nf_conntrack.expect_hashsize=2048"));
  log = Find<finding::KernelLogExpectFull>(d);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->severity, Severity::kCritical);
  EXPECT_TRUE(log->steps.empty());  // the steps once
  EXPECT_EQ(d.verdict, Verdict::kCritical);

  // A kernel without the limit: nothing to judge.
  f.expect_limit.reset();
  d = Diagnose(f);
  EXPECT_EQ(Find<finding::ExpectNearlyFull>(d), nullptr);
}

// 6.18 with conntrack built in, in the initial namespace (this project's CI).
HostFacts BuiltIn618() {
  HostFacts f = Host(8 * kGiB, 250000, 262144, 262144);
  f.kernel_release = "6.18.0";
  f.conntrack_builtin = true;
  f.netns_initial = true;
  f.buckets_sysctl_writable = true;
  return f;
}

TEST(Recommend, BuiltInKernelPersistsBucketsOnTheCommandLineNotModprobe) {
  Recommendation r = Recommend(BuiltIn618());
  EXPECT_EQ(r.limit, 524288u);
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kHost, false,
                      "sysctl -w net.netfilter.nf_conntrack_max=524288"));
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kHost, false,
                      "sysctl -w net.netfilter.nf_conntrack_buckets=524288"));
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kBoot, true,
                      "nf_conntrack.hashsize=524288"));
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kHost, true,
                      "/etc/sysctl.d/90-conntrack.conf: "
                      "net.netfilter.nf_conntrack_buckets = 524288"));
  EXPECT_FALSE(AnyStepContains(r.steps, "modprobe"));
  EXPECT_FALSE(AnyStepContains(r.steps, "/sys/module"));
  EXPECT_FALSE(AnyStepContains(r.steps, "modules-load.d"));
}

TEST(Recommend, LoadableModulePersistsWithModprobeAndLoadsBeforeSysctl) {
  HostFacts f = BuiltIn618();
  f.conntrack_builtin = false;
  Recommendation r = Recommend(f);
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kHost, true,
                      "/etc/modprobe.d/nf_conntrack.conf: options "
                      "nf_conntrack hashsize=524288"));
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kHost, true,
                      "/etc/modules-load.d/nf_conntrack.conf: nf_conntrack"));
  EXPECT_FALSE(AnyStepContains(r.steps, "nf_conntrack.hashsize="));
}

TEST(Recommend, OldKernelResizesThroughTheModuleParameter) {
  HostFacts f = BuiltIn618();
  f.kernel_release = "4.4.0";
  f.buckets_sysctl_writable = false;  // 0444 before 4.8
  Recommendation r = Recommend(f);
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kHost, false,
                      "echo 524288 > /sys/module/nf_conntrack/parameters/"
                      "hashsize"));
  EXPECT_FALSE(AnyStepContains(r.steps, "nf_conntrack_buckets"));
}

TEST(Recommend, ChildNamespaceSaysTheHostAndGivesHostSteps) {
  HostFacts f = BuiltIn618();
  f.netns_initial = false;
  Recommendation r = Recommend(f);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes[0].code(), "child_namespace");
  EXPECT_NE(Headline(r.notes[0]).find("child network namespace"),
            std::string::npos);
  for (const Step& s : r.steps) {
    EXPECT_TRUE(s.where == Step::Where::kHost || s.where == Step::Where::kBoot)
        << s.text;
  }
}

TEST(Recommend, KubernetesNodeConfiguresKubeProxy) {
  HostFacts f = BuiltIn618();
  f.kube_proxy = true;
  f.cpus = 6;
  Recommendation r = Recommend(f);
  // 524288 / 6 CPUs, rounded up.
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kKubeProxy, true,
                      "conntrack.maxPerCore: 87382 (flag "
                      "--conntrack-max-per-core)"));
  EXPECT_TRUE(HasStep(r.steps, Step::Where::kKubeProxy, true,
                      "conntrack.min: 524288 (flag --conntrack-min)"));
  EXPECT_FALSE(AnyStepContains(r.steps, "nf_conntrack_max = "));
}

TEST(Recommend, NeverALimitOfZero) {
  for (uint64_t ram : {uint64_t{0}, 64 * kMiB, 8 * kGiB}) {
    HostFacts f = Host(ram, 0, 0, 0);
    EXPECT_GE(Recommend(f).limit, 65536u);
  }
}

TEST(Diagnose, AnUnreadableLimitIsUnknownNotNoLimit) {
  HostFacts f = Host(8 * kGiB, 1000, 0, 262144);
  f.limit.reset();
  f.unreadable.push_back({"limit", "not a regular file", "nf_conntrack_max"});
  Diagnosis d = Diagnose(f);
  EXPECT_EQ(d.verdict, Verdict::kUnknown);
  EXPECT_EQ(VerdictName(d.verdict), "UNKNOWN");
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_EQ(d.reasons[0].code(), "fact_unreadable");
  EXPECT_EQ(d.reasons[0].severity, Severity::kUnknown);
  EXPECT_EQ(ReasonText(d.reasons[0]),
            "could not read the limit (nf_conntrack_max): not a regular file");
  for (const auto& r : d.reasons) {
    EXPECT_EQ(ReasonText(r).find("no limit"), std::string::npos)
        << ReasonText(r);
  }
}

TEST(Diagnose, NeverSaysNothingWasDroppedWithoutCounters) {
  HostFacts f = Host(8 * kGiB, 1000, 262144, 262144);
  f.counters_read = false;
  f.counters_note = "unavailable: no stat file and no CAP_NET_ADMIN";
  f.unreadable.push_back({"drop_counters", "no stat file"});
  Diagnosis d = Diagnose(f);
  EXPECT_EQ(d.verdict, Verdict::kUnknown);  // never OK without the counters
  bool unknown = false;
  for (const auto& r : d.reasons) {
    EXPECT_NE(r.code(), "table_ok");
    EXPECT_EQ(ReasonText(r).find("nothing was dropped"), std::string::npos)
        << ReasonText(r);
    unknown |= ReasonText(r).find("whether packets were dropped is unknown") !=
               std::string::npos;
  }
  EXPECT_TRUE(unknown);
  f.counters_read = true;
  f.unreadable.clear();
  d = Diagnose(f);
  EXPECT_EQ(d.reasons.back().code(), "table_ok");
  EXPECT_NE(ReasonText(d.reasons.back()).find("nothing was dropped"),
            std::string::npos);
}

TEST(Diagnose, WhatIsKnownToBeBadStaysBadWhenSomethingIsUnreadable) {
  HostFacts f = Host(8 * kGiB, 250000, 262144, 262144);  // 95 %
  f.counters_read = false;
  f.unreadable.push_back({"drop_counters", "no stat file"});
  EXPECT_EQ(Diagnose(f).verdict, Verdict::kCritical);
}

TEST(Diagnose, DropsOnATableFarFromFullAreNotCalledTableFull) {
  HostFacts f = Host(8 * kGiB, 1000, 262144, 262144);
  f.counters["drop"] = 4;
  f.counters["invalid"] = 4;
  Diagnosis d = Diagnose(f);
  EXPECT_EQ(d.verdict, Verdict::kWarning);
  ASSERT_NE(d.reasons[0].As<finding::DropsNotFull>(), nullptr);
  EXPECT_EQ(d.reasons[0].As<finding::DropsNotFull>()->invalid, 4u);
  EXPECT_NE(ReasonText(d.reasons[0]).find("not for a full table"),
            std::string::npos);
  EXPECT_NE(ReasonText(d.reasons[0]).find("invalid: 4"), std::string::npos);
}

TEST(TidyKernelLine, OnePrefix) {
  EXPECT_EQ(TidyKernelLine(" nf_conntrack: nf_conntrack: table full, dropping "
                           "packet\n"),
            "nf_conntrack: table full, dropping packet");
  EXPECT_EQ(TidyKernelLine("nf_conntrack: table full in netns 4026532, "
                           "dropping packet"),
            "nf_conntrack: table full in netns 4026532, dropping packet");
}

// A table of 10,000 entries: 4,000 established idle about 5 days, 1,000
// idle about 2 h, 2,000 fresh; 3,000 DNS queries from one client.
HostFacts IdleTable() {
  HostFacts f = BuiltIn618();
  f.entries = 10000;
  TableMakeup m;
  m.total = 10000;
  m.unreplied = 3000;
  m.flows[{"ipv4", "tcp", "established", 0}] = 7000;
  m.flows[{"ipv4", "udp", "unreplied", 0}] = 3000;
  IdleHistogram h;
  h.timeout = 432000;
  for (int i = 0; i < 4000; ++i) h.Observe(3600, false);    // idle 428400
  for (int i = 0; i < 1000; ++i) h.Observe(424800, false);  // idle 7200
  for (int i = 0; i < 2000; ++i) h.Observe(431990, false);  // idle 10
  m.tcp_established = h;
  TopList dest;
  dest.items.push_back({"10.0.0.53", "udp", "53", 3000, 0, 3000, ""});
  m.top_destinations = dest;
  TopList src;
  src.items.push_back({"10.0.0.7", "", "", 3000, 0, 3000, ""});
  m.top_sources = src;
  f.makeup = m;
  f.timeouts["udp_timeout"] = 30;
  return f;
}

TEST(AdviseOnMakeup, IdleEstablishedEntriesWithFiguresForEachCandidate) {
  std::vector<Finding> advice = AdviseOnMakeup(IdleTable());
  ASSERT_FALSE(advice.empty());
  const Finding& a = advice[0];
  const auto* idle = a.As<finding::IdleEstablished>();
  ASSERT_NE(idle, nullptr);
  EXPECT_EQ(idle->idle_long, 4000u);
  EXPECT_EQ(idle->pick, 36000u);
  EXPECT_FALSE(idle->delete_now);
  EXPECT_NE(
      Headline(a).find("4000 established TCP entries (40.0% of the table) "
                       "have been idle for more than 10 h"),
      std::string::npos)
      << Headline(a);
  EXPECT_NE(Headline(a).find("is 432000 s (5 d); at 36000 s these 4000 entries "
                             "would have expired already"),
            std::string::npos)
      << Headline(a);
  // 4,000 deletes walking a 10,000-entry table each: too many one by one.
  EXPECT_NE(Headline(a).find("expire on their own timers, within 5 d"),
            std::string::npos)
      << Headline(a);
  EXPECT_FALSE(AnyStepContains(a.steps, "conntrack -D"));
  EXPECT_FALSE(AnyStepContains(a.steps, "-D -p tcp"));
  EXPECT_EQ(Figures(a)[0],
            "timeout 86400 s (1 d): 4000 of 7000 established "
            "entries would have expired already");
  EXPECT_EQ(Figures(a)[2],
            "timeout 10800 s (3 h): 4000 of 7000 established "
            "entries would have expired already");
  EXPECT_EQ(Figures(a)[3],
            "timeout 3600 s (1 h): 5000 of 7000 established "
            "entries would have expired already");
  EXPECT_TRUE(HasStep(a.steps, Step::Where::kNamespace, false,
                      "sysctl -w net.netfilter.nf_conntrack_tcp_timeout_"
                      "established=36000"));
}

// Past the top lists' capacity: a client whose count may be noise is not
// advised on; one above the noise is, with its least count and the range.
TEST(AdviseOnMakeup, PastCapacityOnlyAClientAboveTheNoiseAndItsRange) {
  for (uint64_t bound : {3500u, 12u}) {
    HostFacts f = IdleTable();
    TopList src;
    src.exact = false;
    src.bound = bound;
    src.largest = 3012;
    src.items.push_back({"10.0.0.7", "", "", 3012, 12, 2012, ""});
    f.makeup->top_sources = src;
    f.makeup->top_destinations = std::nullopt;
    std::vector<Finding> advice = AdviseOnMakeup(f);
    const Finding* client = nullptr;
    for (const Finding& a : advice) {
      if (a.code() == "dominant_client") client = &a;
    }
    if (bound == 3500) {
      EXPECT_EQ(client, nullptr) << "advised on a client within the noise";
      continue;
    }
    ASSERT_NE(client, nullptr);
    EXPECT_EQ(client->As<finding::DominantClient>()->entries, 3000u);
    EXPECT_EQ(client->As<finding::DominantClient>()->error, 12u);
    EXPECT_NE(Headline(*client).find("10.0.0.7 has 3000 to 3012 of 10000 "
                                     "entries, 2000 to 2012 of them unreplied"),
              std::string::npos)
        << Headline(*client);
  }
}

TEST(AdviseOnMakeup, ASmallEnoughPileGetsTheDeleteCommand) {
  HostFacts f = BuiltIn618();
  TableMakeup m;
  m.total = 1000;
  m.flows[{"ipv4", "tcp", "established", 0}] = 1000;
  IdleHistogram h;
  h.timeout = 432000;
  for (int i = 0; i < 400; ++i) h.Observe(3600, false);    // idle 428400
  for (int i = 0; i < 600; ++i) h.Observe(431990, false);  // idle 10
  m.tcp_established = h;
  f.makeup = m;
  std::vector<Finding> advice = AdviseOnMakeup(f);
  ASSERT_FALSE(advice.empty());
  EXPECT_NE(Headline(advice[0]).find("frees 400 entries now"),
            std::string::npos)
      << Headline(advice[0]);
  // Idle longer than 36000 s = less than 432000 - 36000 s left.
  EXPECT_TRUE(AnyStepContains(advice[0].steps, "awk '$3 < 396000"));
  EXPECT_TRUE(AnyStepContains(advice[0].steps, "| conntrack -R -"));
}

TEST(AdviseOnMakeup, DnsServiceAndUnrepliedClient) {
  std::vector<Finding> advice = AdviseOnMakeup(IdleTable());
  ASSERT_EQ(advice.size(), 4u);  // idle, the DNS service, the client, unreplied
  EXPECT_EQ(advice[0].code(), "idle_established");
  EXPECT_EQ(advice[1].code(), "dominant_service");
  EXPECT_EQ(advice[1].As<finding::DominantService>()->kind, "dns");
  EXPECT_EQ(advice[2].code(), "dominant_client");
  EXPECT_EQ(advice[3].code(), "unreplied_dominates");
  EXPECT_NE(Headline(advice[1]).find("10.0.0.53 udp/53 has 3000 of 10000"),
            std::string::npos)
      << Headline(advice[1]);
  EXPECT_TRUE(AnyStepContains(advice[1].steps, "udp dport 53 notrack"));
  EXPECT_NE(Headline(advice[2]).find("10.0.0.7 has 3000 of 10000 entries"),
            std::string::npos);
  EXPECT_NE(Figures(advice[2])[0].find("a scan"), std::string::npos);
  EXPECT_NE(Headline(advice[3]).find("3000 entries (30.0%) have never seen a "
                                     "reply: 3000 UDP"),
            std::string::npos)
      << Headline(advice[3]);
  EXPECT_NE(Figures(advice[3])[0].find("about 1000 unreplied UDP"),
            std::string::npos);
}

TEST(AdviseOnMakeup, KubernetesTimeoutGoesToKubeProxy) {
  HostFacts f = IdleTable();
  f.kube_proxy = true;
  std::vector<Finding> advice = AdviseOnMakeup(f);
  EXPECT_TRUE(HasStep(advice[0].steps, Step::Where::kKubeProxy, true,
                      "conntrack.tcpEstablishedTimeout: 10h0m0s "
                      "(KubeProxyConfiguration; flag "
                      "--conntrack-tcp-timeout-established)"));
}

// Every finding has a code of its own and a sentence; the codes are the
// JSON's API (docs/doctor.md lists them all).
template <size_t... I>
std::vector<Finding> OneOfEach(std::index_sequence<I...>) {
  return {
      Finding{Severity::kNote, FindingDetails(std::in_place_index<I>), {}}...};
}

TEST(Findings, EachHasAStableCodeOfItsOwnAndASentence) {
  std::set<std::string> codes;
  for (const Finding& f : OneOfEach(
           std::make_index_sequence<std::variant_size_v<FindingDetails>>())) {
    const std::string code(f.code());
    EXPECT_TRUE(codes.insert(code).second) << code;
    EXPECT_FALSE(code.empty());
    EXPECT_EQ(code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"),
              std::string::npos)
        << code;
    EXPECT_FALSE(Headline(f).empty()) << code;
  }
  EXPECT_EQ(codes.size(), std::variant_size_v<FindingDetails>);
  // Each is documented.
  std::ifstream doc(std::string(NFCE_DOCS) + "/doctor.md");
  const std::string text((std::istreambuf_iterator<char>(doc)),
                         std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty()) << "docs/doctor.md not found";
  for (const std::string& code : codes) {
    EXPECT_NE(text.find("| `" + code + "` |"), std::string::npos)
        << code << " is not in docs/doctor.md's table of codes";
  }
}

}  // namespace
}  // namespace nfce

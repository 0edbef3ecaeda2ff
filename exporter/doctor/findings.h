// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"

namespace nfce {

// One thing to do, and where it applies.
struct Step {
  enum class Where {
    kHost,       // the host's initial network namespace
    kNamespace,  // this network namespace (per-namespace sysctls)
    kBoot,       // the kernel command line
    kKubeProxy,  // kube-proxy's configuration
  };
  Where where = Where::kHost;
  bool persistent = false;
  std::string text;  // a command, or "path: line" for a file
};

// How much a finding weighs in the verdict.
enum class Severity {
  kNote,      // says something, changes nothing
  kWarning,   // WARNING at least
  kCritical,  // CRITICAL
  kUnknown,   // a fact the verdict needs is missing: never OK
};
absl::string_view SeverityName(Severity s);  // "note", "warning", ...

// The numbers behind each finding, one type per finding. Each type's kCode
// is the finding's stable name (the JSON's "code", docs/doctor.md): what
// the doctor concluded, apart from how the renderers phrase it.
namespace finding {

struct NotLoaded {
  static constexpr absl::string_view kCode = "conntrack_not_loaded";
};
struct Unreadable {
  static constexpr absl::string_view kCode = "fact_unreadable";
  std::string fact;  // entries, limit, drop_counters, kernel_log
  std::string error;
  std::string source;  // for the text: the sysctl, where one
};
struct NoLimit {
  static constexpr absl::string_view kCode = "no_limit";
};
struct Usage {
  uint64_t entries = 0, limit = 0;
  double usage = 0;
};
struct TableCritical : Usage {
  static constexpr absl::string_view kCode = "table_critical";
  // From the make-up, where dumped: entries early drop may evict (not
  // assured); a warning, not critical, while they are many.
  std::optional<uint64_t> evictable;
};
struct TableNearlyFull : Usage {
  static constexpr absl::string_view kCode = "table_nearly_full";
};
// Assured entries alone fill the table past the critical share: early drop
// cannot make room, drops are near certain.
struct FullOfAssured {
  static constexpr absl::string_view kCode = "full_of_assured";
  uint64_t assured = 0, limit = 0;
  double share = 0;  // assured / limit
};
struct DropsTableFull {
  static constexpr absl::string_view kCode = "drops_table_full";
  uint64_t drops = 0;
};
struct DropsNotFull {
  static constexpr absl::string_view kCode = "drops_not_full";
  uint64_t drops = 0, invalid = 0;
  double usage = 0;
  // Inserts that failed: clashes (insert_failed - chaintoolong) point to
  // source NAT out of ports or racing UDP queries.
  uint64_t insert_failed = 0, chaintoolong = 0;
};
struct KernelLogTableFull {
  static constexpr absl::string_view kCode = "kernel_log_table_full";
  int lines = 0;
  std::string last;
};
struct LogLines {
  int lines = 0;
  bool unnamed = false;  // before 6.17 a line names no namespace
};
// Lines that name this namespace (or none, before 6.17) while its drop
// counter is 0: another namespace's, not counted.
struct KernelLogNotCounted : LogLines {
  static constexpr absl::string_view kCode = "kernel_log_not_counted";
};
// Lines counted without a drop counter to check them against.
struct KernelLogUnverified : LogLines {
  static constexpr absl::string_view kCode = "kernel_log_unverified";
};
// Lines before 6.17 name no namespace; counted since drop is above 0.
struct KernelLogUnnamed {
  static constexpr absl::string_view kCode = "kernel_log_unnamed";
};
struct EarlyDrops {
  static constexpr absl::string_view kCode = "early_drops";
  uint64_t early_drop = 0;
};
struct InsertFailures {
  static constexpr absl::string_view kCode = "insert_failures";
  uint64_t insert_failed = 0, chaintoolong = 0;
};
struct HashChainsLong {
  static constexpr absl::string_view kCode = "hash_chains_long";
  double chain_length = 0, threshold = 0;
};
struct RecommendationCostly {
  static constexpr absl::string_view kCode = "recommendation_costly";
  double memory_bytes = 0, ram_share = 0, budget = 0;
};
struct DropsUnknown {
  static constexpr absl::string_view kCode = "drops_unknown";
  std::string counters_note;
};
struct TableOk {
  static constexpr absl::string_view kCode = "table_ok";
  double usage = 0;
};

// Notes on the recommendation: why its steps are what they are here.
struct ChildNamespace {
  static constexpr absl::string_view kCode = "child_namespace";
};
struct KubeProxyOwnsLimit {
  static constexpr absl::string_view kCode = "kube_proxy_owns_limit";
  int cpus = 0;  // 0: unknown
};
struct BuiltinHashsize {
  static constexpr absl::string_view kCode = "builtin_hashsize";
  uint64_t buckets = 0;
};
struct ModuleOrBuiltinUnknown {
  static constexpr absl::string_view kCode = "module_or_builtin_unknown";
  std::string module;
  uint64_t buckets = 0;
};
struct ModuleLoadOrder {
  static constexpr absl::string_view kCode = "module_load_order";
};

// A shorter timeout sysctl, and about how many entries it would hold.
struct Shorten {
  std::string sysctl;  // "udp_timeout": nf_conntrack_<sysctl>
  uint64_t from = 0, to = 0;
  uint64_t scaled = 0;  // entries at the same rate
  std::string what;     // "unreplied UDP entries"
};

// Advice from the table's make-up.
struct IdleEstablished {
  static constexpr absl::string_view kCode = "idle_established";
  uint64_t idle_long = 0;  // idle more than 10 h
  uint64_t total = 0;      // entries dumped
  uint64_t timeout = 0;    // nf_conntrack_tcp_timeout_established
  uint64_t pick = 0;       // the timeout advised
  uint64_t freed = 0;      // idle longer than `pick`
  bool delete_now = false;
  struct Candidate {
    uint64_t timeout = 0;
    uint64_t expired = 0;  // would have expired already
  };
  std::vector<Candidate> candidates;
  uint64_t established = 0;  // in the histogram
  uint64_t excluded = 0;     // with a timeout of their own
  bool kube_proxy = false;
};
// Past the sketch's capacity `entries` and `unreplied` are least counts: the
// truth may be up to `error` more.
struct DominantService {
  static constexpr absl::string_view kCode = "dominant_service";
  std::string address, protocol, port;
  uint64_t entries = 0, total = 0, unreplied = 0, error = 0;
  std::string kind;          // dns, unanswered, busy
  uint64_t udp_timeout = 0;  // dns
  uint64_t udp_scaled = 0;   // dns: unreplied entries at a 10 s timeout
  std::optional<Shorten> shorten;
};
struct DominantClient {
  static constexpr absl::string_view kCode = "dominant_client";
  std::string address;
  uint64_t entries = 0, total = 0, unreplied = 0, error = 0;
  bool unanswered = false;
};
struct TimeWaitDominates {
  static constexpr absl::string_view kCode = "time_wait_dominates";
  uint64_t time_wait = 0, total = 0, timeout = 0;
  std::optional<Shorten> shorten;
};
// One source-NAT tuple (NAT address, destination, port, protocol) with
// most of its source ports in use: new connections to it fail at insert.
struct SnatPortsExhausted {
  static constexpr absl::string_view kCode = "snat_ports_exhausted";
  std::string nat_address, destination, port, protocol;
  uint64_t in_use = 0, available = 0;  // in_use: at least
  uint64_t error = 0;  // the truth may be up to this much more than in_use
  double share = 0;
  std::optional<Shorten> shorten;
  bool kube_proxy = false;  // NodeLocal DNSCache is the fix for DNS
};
// The expectation table, where helpers (FTP, SIP...) note the connections
// they announce, near its own limit (nf_conntrack_expect_max).
struct ExpectNearlyFull {
  static constexpr absl::string_view kCode = "expect_nearly_full";
  uint64_t entries = 0, limit = 0;
  double usage = 0;
};
// "expectation table full" in the kernel log: a helper's expectation was
// refused and its data connection failed. The line names no namespace (the
// limit is global, the count each namespace's own): this namespace's when
// its expectations are near the limit, else perhaps another's.
struct KernelLogExpectFull {
  static constexpr absl::string_view kCode = "kernel_log_expect_full";
  int lines = 0;
  std::string last;
  bool here = false;
  std::optional<double> usage;  // this namespace's, where known
};
struct UnrepliedDominates {
  static constexpr absl::string_view kCode = "unreplied_dominates";
  uint64_t unreplied = 0, total = 0, udp = 0, syn_sent = 0;
  std::string kind;  // udp, syn_sent, mixed
  std::optional<Shorten> shorten;
};

}  // namespace finding

using FindingDetails = std::variant<
    finding::NotLoaded, finding::Unreadable, finding::NoLimit,
    finding::TableCritical, finding::TableNearlyFull, finding::DropsTableFull,
    finding::DropsNotFull, finding::KernelLogTableFull,
    finding::KernelLogNotCounted, finding::KernelLogUnverified,
    finding::KernelLogUnnamed, finding::EarlyDrops, finding::InsertFailures,
    finding::HashChainsLong, finding::RecommendationCostly,
    finding::DropsUnknown, finding::TableOk, finding::ChildNamespace,
    finding::KubeProxyOwnsLimit, finding::BuiltinHashsize,
    finding::ModuleOrBuiltinUnknown, finding::ModuleLoadOrder,
    finding::IdleEstablished, finding::DominantService, finding::DominantClient,
    finding::TimeWaitDominates, finding::UnrepliedDominates,
    finding::SnatPortsExhausted, finding::FullOfAssured,
    finding::ExpectNearlyFull, finding::KernelLogExpectFull>;

// One conclusion of the doctor: what (its details, whose type gives its
// code), how much it weighs, and the steps that act on it.
struct Finding {
  Severity severity = Severity::kNote;
  FindingDetails details;
  std::vector<Step> steps;

  absl::string_view code() const;
  template <typename T>
  const T* As() const {
    return std::get_if<T>(&details);
  }
};

}  // namespace nfce

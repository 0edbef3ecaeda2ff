// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/thresholds.h"

namespace nfce {
namespace {

// Which kernel log lines count as this namespace's. Each is one dropped
// packet, so with a drop counter of 0 they belong to a namespace that is
// gone (a deleted one whose inode number was reused, or a sibling).
void JudgeKernelLog(const HostFacts& f, Diagnosis* d) {
  if (!f.kernel_log || f.kernel_log->count == 0) return;
  const TableFullLines& lines = *f.kernel_log;
  if (f.counters_read && f.Counter("drop") == 0) {
    d->kernel_log_caveat = Finding{
        Severity::kNote,
        finding::KernelLogNotCounted{{lines.count, lines.unnamed_namespace}},
        {}};
    return;
  }
  d->table_full_lines = lines.count;
  if (!f.counters_read) {
    d->kernel_log_caveat = Finding{
        Severity::kNote,
        finding::KernelLogUnverified{{lines.count, lines.unnamed_namespace}},
        {}};
  } else if (lines.unnamed_namespace) {
    d->kernel_log_caveat =
        Finding{Severity::kNote, finding::KernelLogUnnamed{}, {}};
  }
}

}  // namespace

absl::string_view VerdictName(Verdict v) {
  // In the order of Verdict (its values are the exit status).
  constexpr absl::string_view kNames[] = {"OK", "WARNING", "CRITICAL",
                                          "UNKNOWN"};
  return kNames[static_cast<int>(v)];
}

Diagnosis Diagnose(const HostFacts& f) {
  Diagnosis d;
  auto add = [&](Severity s, FindingDetails details) {
    d.reasons.push_back(Finding{s, std::move(details), {}});
  };
  JudgeKernelLog(f, &d);
  if (f.flavor == ConntrackFlavor::kNone) {
    add(Severity::kNote, finding::NotLoaded{});
    return d;
  }
  // What could not be read comes first: without it no verdict can be OK.
  for (const HostFacts::Missing& m : f.unreadable) {
    add(Severity::kUnknown, finding::Unreadable{m.fact, m.error, m.source});
  }
  const std::optional<double> usage = f.Usage();
  const double used = usage.value_or(0);
  if (f.limit && *f.limit == 0) {
    add(Severity::kWarning, finding::NoLimit{});
  } else if (usage && used >= kCriticalThreshold) {
    finding::TableCritical critical{{*f.entries, *f.limit, used}, {}};
    Severity s = Severity::kCritical;
    if (f.makeup) {
      // Early drop evicts only entries that are not assured: while they
      // are many, a full table makes room instead of dropping.
      const TableMakeup& m = *f.makeup;
      critical.evictable = m.total - m.assured;
      const double assured = static_cast<double>(m.assured) / *f.limit;
      if (assured < kNearlyFullThreshold) s = Severity::kWarning;
    }
    add(s, critical);
  } else if (usage && used >= kNearlyFullThreshold) {
    add(Severity::kWarning,
        finding::TableNearlyFull{{*f.entries, *f.limit, used}});
  }
  if (const uint64_t drops = f.Counter("drop"); drops > 0) {
    const bool logged = d.table_full_lines > 0;
    const bool full = used >= kFullThreshold || logged;
    const bool now = used >= kCriticalThreshold || logged;
    const Severity s = now ? Severity::kCritical : Severity::kWarning;
    if (full) {
      add(s, finding::DropsTableFull{drops});
    } else {
      add(s, finding::DropsNotFull{drops, f.Counter("invalid"), used,
                                   f.Counter("insert_failed"),
                                   f.Counter("chaintoolong")});
    }
  }
  if (f.makeup && f.limit && *f.limit > 0) {
    const double assured = static_cast<double>(f.makeup->assured) / *f.limit;
    if (assured >= kCriticalThreshold) {
      Finding full{Severity::kCritical,
                   finding::FullOfAssured{f.makeup->assured, *f.limit, assured},
                   {}};
      full.steps = AssuredSteps(f);
      d.reasons.push_back(std::move(full));
    }
  }
  if (std::optional<Finding> snat = SnatFinding(f)) {
    d.reasons.push_back(*std::move(snat));
  }
  if (d.table_full_lines > 0) {
    add(Severity::kCritical,
        finding::KernelLogTableFull{d.table_full_lines, f.kernel_log->last});
  }
  if (d.kernel_log_caveat) d.reasons.push_back(*d.kernel_log_caveat);
  for (Finding& e : ExpectFindings(f)) {
    d.reasons.push_back(std::move(e));
  }
  if (uint64_t early = f.Counter("early_drop")) {
    add(Severity::kWarning, finding::EarlyDrops{early});
  }
  if (uint64_t failed = f.Counter("insert_failed")) {
    add(Severity::kWarning,
        finding::InsertFailures{failed, f.Counter("chaintoolong")});
  }
  if (f.entries && f.buckets && *f.buckets > 0) {
    const double chain = 2.0 * *f.entries / *f.buckets;
    if (chain > kChainLengthThreshold) {
      add(Severity::kWarning,
          finding::HashChainsLong{chain, kChainLengthThreshold});
    }
  }
  d.recommendation = Recommend(f);
  if (d.recommendation->over_memory_budget) {
    add(Severity::kNote, finding::RecommendationCostly{
                             d.recommendation->memory_bytes,
                             d.recommendation->ram_share, kMemoryBudget});
  }
  d.advice = AdviseOnMakeup(f);
  if (!f.counters_read) {
    add(Severity::kNote, finding::DropsUnknown{f.counters_note});
  }
  // The verdict: the gravest finding; a fact missing forbids OK (a check
  // must never say OK about data it could not read).
  bool missing = false;
  for (const Finding& r : d.reasons) {
    if (r.severity == Severity::kCritical) {
      d.verdict = Verdict::kCritical;
    } else if (r.severity == Severity::kWarning) {
      d.verdict = std::max(d.verdict, Verdict::kWarning);
    }
    missing |= r.severity == Severity::kUnknown;
  }
  if (d.verdict == Verdict::kOk) {
    if (missing) {
      d.verdict = Verdict::kUnknown;
    } else {
      add(Severity::kNote, finding::TableOk{used});
    }
  }
  return d;
}

}  // namespace nfce

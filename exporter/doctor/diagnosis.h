// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "exporter/doctor/facts.h"
#include "exporter/doctor/findings.h"

namespace nfce {

// The values are the exit status, as the Nagios plugin guidelines define it.
enum class Verdict { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };
absl::string_view VerdictName(Verdict v);

struct Recommendation {
  uint64_t limit = 0;
  uint64_t buckets = 0;
  bool limit_already_enough = false;
  double memory_bytes = 0;          // a full table at the recommendation
  double current_memory_bytes = 0;  // a full table at the current limit
  double ram_share = 0;             // memory_bytes / RAM
  bool over_memory_budget = false;  // above kMemoryBudget of RAM
  std::vector<Step> steps;
  std::vector<Finding> notes;  // why these steps, for this host
};

struct Diagnosis {
  Verdict verdict = Verdict::kOk;
  std::vector<Finding> reasons;  // why the verdict, in order
  // Kernel log "table full" lines counted as this namespace's, and why seen
  // lines were not counted, or may not belong here.
  int table_full_lines = 0;
  std::optional<Finding> kernel_log_caveat;
  std::optional<Recommendation> recommendation;
  std::vector<Finding> advice;  // from the table's make-up
};

// Share of RAM above which the doctor warns that a recommended table costs
// too much.
inline constexpr double kMemoryBudget = 0.05;

// The classic sizing rule: RAM / 16384 / (word size / 32 bits).
uint64_t SeedLimit(uint64_t ram_bytes, int pointer_size);

// sizing.cc: the limit and buckets for this host, and the steps that apply
// them where they apply.
Recommendation Recommend(const HostFacts& facts);
// makeup_advice.cc: idle established entries, one client or service holding
// a large share, TIME_WAIT or unreplied entries dominating.
std::vector<Finding> AdviseOnMakeup(const HostFacts& facts);
// makeup_advice.cc: the fullest source-NAT tuple, where it is near its ports'
// end or inserts clash, with the fixes for this host.
std::optional<Finding> SnatFinding(const HostFacts& facts);
// makeup_advice.cc: what lets a table full of assured entries make room:
// shorter timeouts for what stays (the limit is the recommendation's).
std::vector<Step> AssuredSteps(const HostFacts& facts);
// expect_advice.cc: the expectation table near its limit, and the kernel
// log's "expectation table full" lines, with the steps that raise it.
std::vector<Finding> ExpectFindings(const HostFacts& facts);
// diagnose.cc: the verdict and its reasons, the recommendation, the advice.
Diagnosis Diagnose(const HostFacts& facts);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "exporter/doctor/facts.h"

namespace nfce {

// The values are the exit status, as the Nagios plugin guidelines define it.
enum class Verdict { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };

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
// Each place a step can apply: its JSON name ("host") and its heading in a
// report ("on the host (initial network namespace)").
struct WhereInfo {
  Step::Where where;
  absl::string_view name;
  absl::string_view heading;
};
const std::array<WhereInfo, 4>& Wheres();  // in report order
const WhereInfo& Where(Step::Where where);

struct Recommendation {
  uint64_t limit = 0;
  uint64_t buckets = 0;
  bool limit_already_enough = false;
  double memory_bytes = 0;          // a full table at the recommendation
  double current_memory_bytes = 0;  // a full table at the current limit
  double ram_share = 0;             // memory_bytes / RAM
  bool over_memory_budget = false;  // above kMemoryBudget of RAM
  std::vector<Step> steps;
  std::vector<std::string> notes;  // why these steps, for this host
  // The same steps as before `steps` existed (the JSON keeps them).
  std::vector<std::string> RuntimeCommands() const;
  std::vector<std::string> PersistentFiles() const;
};

// A finding about what fills the table, with the figures behind it and the
// change that helps.
struct Advice {
  std::string finding;
  std::vector<std::string> figures;
  std::vector<Step> steps;
};

struct Diagnosis {
  Verdict verdict = Verdict::kOk;
  std::vector<std::string> reasons;
  std::optional<Recommendation> recommendation;
  std::vector<Advice> advice;  // from the table's make-up
};

// Share of RAM above which the doctor warns that a recommended table costs
// too much.
inline constexpr double kMemoryBudget = 0.05;

// The classic sizing rule: RAM / 16384 / (word size / 32 bits).
uint64_t SeedLimit(uint64_t ram_bytes, int pointer_size);

Recommendation Recommend(const HostFacts& facts);
// Advice from the make-up: idle established entries, one client or service
// holding a large share, TIME_WAIT or unreplied entries dominating.
std::vector<Advice> AdviseOnMakeup(const HostFacts& facts);
Diagnosis Diagnose(const HostFacts& facts);
absl::string_view VerdictName(Verdict v);

}  // namespace nfce

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "collectors/module.h"
#include "collectors/paths.h"

namespace nfce {

// What `nf_conntrack_exporter doctor` knows of a host. Gathered once, then
// judged by pure functions, so the judgement can be tested on any numbers.
struct HostFacts {
  ConntrackFlavor flavor = ConntrackFlavor::kNone;
  std::string kernel_release;
  uint64_t ram_bytes = 0;
  int pointer_size = sizeof(void*);
  uint64_t entries = 0;
  uint64_t limit = 0;
  std::optional<uint64_t> buckets;
  // drop, early_drop, insert_failed, chaintoolong, clash_resolve, ...
  std::map<std::string, uint64_t> counters;
  std::string counters_note;  // where they came from, or why they are missing
  std::optional<uint64_t> object_size;  // nullopt: slab unreadable
  std::optional<uint64_t> slab_bytes;
  std::optional<uint64_t> established_timeout;
  std::optional<double> established_share;  // of entries, from a table dump
  bool kernel_log_read = false;
  std::string kernel_log_note;  // why it could not be read
  int table_full_lines = 0;
  std::string last_table_full;
};

enum class Verdict { kOk = 0, kWarning = 1, kCritical = 2 };

struct Recommendation {
  uint64_t limit = 0;
  uint64_t buckets = 0;
  bool limit_already_enough = false;
  double memory_bytes = 0;          // a full table at the recommendation
  double current_memory_bytes = 0;  // a full table at the current limit
  double ram_share = 0;             // memory_bytes / RAM
  bool over_memory_budget = false;  // above kMemoryBudget of RAM
  std::vector<std::string> runtime_commands;
  std::vector<std::string> persistent_files;  // "path: line"
};

struct Diagnosis {
  Verdict verdict = Verdict::kOk;
  std::vector<std::string> reasons;
  std::optional<Recommendation> recommendation;
};

// Share of RAM above which the doctor warns that a recommended table costs
// too much.
inline constexpr double kMemoryBudget = 0.05;

// The classic sizing rule: RAM / 16384 / (word size / 32 bits).
uint64_t SeedLimit(uint64_t ram_bytes, int pointer_size);

Recommendation Recommend(const HostFacts& facts);
Diagnosis Diagnose(const HostFacts& facts);

std::string RenderText(const HostFacts& facts, const Diagnosis& diagnosis);
std::string RenderJson(const HostFacts& facts, const Diagnosis& diagnosis);
absl::string_view VerdictName(Verdict v);
std::string FormatMiB(double bytes);  // "264.0 MiB"

struct DoctorOptions {
  Paths paths;
  std::string kernel_log = "/dev/kmsg";  // "" skips it
  bool json = false;
  // Dump the table through ctnetlink for the established share (needs
  // CAP_NET_ADMIN and the real /proc).
  bool dump_flows = true;
};

// Reads everything it can; what it cannot read it notes, never fails.
HostFacts GatherFacts(const DoctorOptions& options);

// `nf_conntrack_exporter doctor [flags]`: prints the report, returns the
// exit status (0 OK, 1 WARNING, 2 CRITICAL; 3 for bad flags).
int DoctorMain(const std::vector<std::string>& args);

}  // namespace nfce

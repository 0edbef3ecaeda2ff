// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/facts.h"

namespace nfce {

std::string RenderText(const HostFacts& facts, const Diagnosis& diagnosis);
std::string RenderJson(const HostFacts& facts, const Diagnosis& diagnosis);

// The make-up as lines of text ("tcp established 3000 (42.0%)", ...), shared
// by the text report and the status page.
struct MakeupLines {
  std::vector<std::string> composition;  // protocol and state, largest first
  std::string unreplied;
  std::vector<std::string> sources;       // top 5
  std::vector<std::string> destinations;  // top 5
  std::vector<std::string> idle;          // established entries' idle times
};
MakeupLines DescribeMakeup(const TableMakeup& makeup);

// "241172 entries of 262144 (92.0%)"; "unknown" for what could not be read.
std::string EntriesText(const HostFacts& facts);
// "262144 buckets: 0.92 entries per bucket, mean hash chain length 1.84", or
// "" when the buckets or the entries are unknown.
std::string BucketsText(const HostFacts& facts);

// Steps grouped by where they apply, runtime before persistent, for the
// text report and the status page alike.
struct StepGroup {
  absl::string_view heading;  // WhereInfo::heading
  bool persistent = false;
  std::vector<const std::string*> texts;  // into the steps given
};
std::vector<StepGroup> GroupSteps(const std::vector<Step>& steps);

}  // namespace nfce

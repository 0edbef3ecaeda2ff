// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/steps.h"
#include "exporter/doctor/thresholds.h"

namespace nfce {
namespace {

// nf_conntrack_expect_max is global and writable only from the initial
// namespace; at boot it is 4 x nf_conntrack.expect_hashsize.
std::vector<Step> RaiseExpectMax(const HostFacts& f) {
  const uint64_t now = std::max<uint64_t>(*f.expect_limit, 1);
  uint64_t to = 1024;
  while (to < 2 * std::max(now, f.expect_entries.value_or(0))) to *= 2;
  const std::string name = SysctlName(f.flavor, "expect_max");
  return {
      {Step::Where::kHost, false, absl::StrCat("sysctl -w ", name, "=", to)},
      {Step::Where::kHost, true,
       absl::StrCat("/etc/sysctl.d/90-conntrack.conf: ", name, " = ", to)},
      {Step::Where::kBoot, true,
       absl::StrCat("nf_conntrack.expect_hashsize=", to / 4,
                    " (the limit is 4 x this when the module loads)")},
  };
}

}  // namespace

std::vector<Finding> ExpectFindings(const HostFacts& f) {
  std::vector<Finding> out;
  const std::optional<double> usage = f.ExpectUsage();
  const bool near = usage && *usage >= kExpectNearlyFullThreshold;
  if (near) {
    out.push_back(
        {Severity::kWarning,
         finding::ExpectNearlyFull{*f.expect_entries, *f.expect_limit, *usage},
         RaiseExpectMax(f)});
  }
  if (f.kernel_log && f.kernel_log->expectation.count > 0) {
    const FullLines& lines = f.kernel_log->expectation;
    Finding logged{
        near ? Severity::kCritical : Severity::kNote,
        finding::KernelLogExpectFull{lines.count, lines.last, near, usage},
        {}};
    if (near) logged.steps = RaiseExpectMax(f);
    out.push_back(std::move(logged));
  }
  // One finding carries the steps.
  if (out.size() == 2) out.back().steps.clear();
  return out;
}

}  // namespace nfce

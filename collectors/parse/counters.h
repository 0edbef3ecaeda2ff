// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace nfce {

// One of the kernel's per-CPU conntrack counters, as each source names it.
// This table drives the procfs parser, the ctnetlink reader, the HELP text
// of nf_conntrack_stat_<name>_total and the counter lists of every report.
struct CounterInfo {
  absl::string_view name;    // exported: nf_conntrack_stat_<name>_total
  absl::string_view header;  // /proc/net/stat/nf_conntrack column header
  int attribute;             // CTA_STATS_*; 0: not sent by ctnetlink
  // Printed as 0 since the layout of 5.10 (recognised by `clashres` or
  // `chainlength` in the header), which then hides the column.
  bool zero_in_modern_layout;
  // Place in the doctor's and the status page's counter list; 0: not there.
  int report_order;
  absl::string_view kernels;  // which kernels count it
  absl::string_view help;
  // CTA_STATS_EXP_*: sent in the expectation statistics message
  // (IPCTNL_MSG_EXP_GET_STATS_CPU) instead; 0: not there.
  int expect_attribute = 0;
};

// Every counter known, in no particular order.
const std::vector<CounterInfo>& Counters();

// The counter of a procfs column header, a ctnetlink attribute (of the
// conntrack or the expectation statistics) or an exported name; nullptr if
// there is none.
const CounterInfo* CounterOfHeader(absl::string_view header);
const CounterInfo* CounterOfAttribute(int attribute);
const CounterInfo* CounterOfExpectAttribute(int attribute);
const CounterInfo* CounterNamed(absl::string_view name);

// The names of the counters reports list, in their order.
const std::vector<absl::string_view>& ReportedCounters();

// HELP of nf_conntrack_stat_<name>_total; a generic one for a counter a
// newer kernel added.
std::string CounterHelp(absl::string_view name);

}  // namespace nfce

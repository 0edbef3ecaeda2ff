// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "absl/time/time.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/facts.h"

namespace nfce {

// Three renderers of the same facts and findings, side by side: text.cc,
// json.cc (the API of `doctor --output=json`, docs/doctor.md) and html.cc
// (the status page). Their English comes from phrases.h.
std::string RenderText(const HostFacts& facts, const Diagnosis& diagnosis);
std::string RenderJson(const HostFacts& facts, const Diagnosis& diagnosis);

// What the status page adds around the report: its chart and links.
struct HtmlPage {
  std::string chart;  // HTML of the last hour's chart
  std::string telemetry_path;
  absl::Duration reload = absl::Seconds(10);
};
// Self-contained HTML: no script, font or CDN, so that it works on an
// air-gapped router; it reloads itself.
std::string RenderHtml(const HostFacts& facts, const Diagnosis& diagnosis,
                       const HtmlPage& page);

// Shared by the renderers (common.cc).

// The make-up as lines of text ("tcp established 3000 (42.0%)", ...).
struct MakeupLines {
  std::vector<std::string> composition;  // protocol and state, largest first
  std::string unreplied;
  std::vector<std::string> sources;       // top 5
  std::vector<std::string> destinations;  // top 5
  std::vector<std::string> idle;          // established entries' idle times
  std::vector<std::string> snat;          // SNAT counts and the top tuples
};
// Of facts.makeup, which must be there; addresses named by their namespace.
MakeupLines DescribeMakeup(const HostFacts& facts);
// The namespaces with the most entries, each with who lives there.
std::vector<std::string> DescribeNamespaces(const HostFacts& facts);

// "241172 entries of 262144 (92.0%)"; "unknown" for what could not be read.
std::string EntriesText(const HostFacts& facts);
// "262144 buckets: 0.92 entries per bucket, mean hash chain length 1.84", or
// "" when the buckets or the entries are unknown.
std::string BucketsText(const HostFacts& facts);

// The evictable headroom, from the make-up ("of 262144 entries, 180000 are
// assured: 82144 could be evicted for new connections"); "" without one.
std::string HeadroomText(const HostFacts& facts);

// The expectation section: the count, the limit and where they came from,
// and the kernel log's 'expectation table full' lines; empty where the
// kernel has no nf_conntrack_expect_max.
std::vector<std::string> ExpectationLines(const HostFacts& facts);

// What a report gives advice on, in order: the reasons that come with
// steps (a SNAT tuple out of ports), then the make-up's advice.
std::vector<Finding> ActionableFindings(const Diagnosis& diagnosis);

// Steps grouped by where they apply, runtime before persistent, for the
// text report and the status page alike.
struct StepGroup {
  absl::string_view heading;  // WhereInfo::heading
  bool persistent = false;
  std::vector<const std::string*> texts;  // into the steps given
};
std::vector<StepGroup> GroupSteps(const std::vector<Step>& steps);

}  // namespace nfce

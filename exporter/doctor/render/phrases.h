// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "exporter/doctor/facts.h"
#include "exporter/doctor/findings.h"

namespace nfce {

// The English of each finding, shared by the text report, the JSON's prose
// fields and the status page: a finding's numbers say what, these say it.

// The finding in one sentence: a reason for the verdict, a note on the
// recommendation, or the headline of a piece of advice.
std::string Headline(const Finding& finding);
// As a reason for the verdict: asides ("note: ...") marked as such.
std::string ReasonText(const Finding& finding);
// The figures behind a piece of advice, one line each.
std::vector<std::string> Figures(const Finding& finding);
// A fact that could not be read: "the limit (nf_conntrack_max): <error>".
std::string MissingText(const HostFacts::Missing& missing);
// Who lives in a namespace: "pod coredns-5d78c9869d-x7k2p, netns 4026532718",
// "container 4f797c539e6c (web), netns 4026532801", "netns router".
std::string WorkloadText(const NetnsName& name);

}  // namespace nfce

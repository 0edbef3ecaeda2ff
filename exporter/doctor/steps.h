// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "exporter/doctor/facts.h"
#include "exporter/doctor/findings.h"

namespace nfce {

// Each place a step can apply: its JSON name ("host") and its heading in a
// report ("on the host (initial network namespace)").
struct WhereInfo {
  Step::Where where;
  absl::string_view name;
  absl::string_view heading;
};
const std::array<WhereInfo, 4>& Wheres();  // in report order
const WhereInfo& Where(Step::Where where);

// "net.netfilter.nf_conntrack_<suffix>", or the legacy name.
std::string SysctlName(ConntrackFlavor flavor, absl::string_view suffix);

// A per-namespace sysctl set now and at boot. In a child namespace (a
// container) /etc/sysctl.d is not applied to it: its runtime sets it.
void SetSysctl(const HostFacts& f, absl::string_view suffix, uint64_t value,
               std::vector<Step>* steps);

// The nftables commands that stop tracking UDP port `port` in this
// namespace, now and persistently.
void NotrackUdpPort(int port, std::vector<Step>* steps);

}  // namespace nfce

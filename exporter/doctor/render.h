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

}  // namespace nfce

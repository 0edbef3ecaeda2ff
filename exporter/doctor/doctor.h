// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace nfce {

// `nf_conntrack_exporter doctor [flags]`: prints the report, returns the
// exit status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; 64 for bad flags).
int DoctorMain(const std::vector<std::string>& args);

}  // namespace nfce

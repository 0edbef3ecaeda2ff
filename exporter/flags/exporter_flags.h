// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "exporter/flags/options.h"

namespace nfce {

// The exporter's flags, from one table (ExporterFlags), in the Prometheus
// exporters' spelling: --name=value or --name value; booleans as --name,
// --no-name or --name=true|false.
absl::StatusOr<Options> ParseFlags(const std::vector<std::string>& args);

std::string HelpText(const std::string& program);

}  // namespace nfce

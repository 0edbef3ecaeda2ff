// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectors/collector.h"

namespace nfce {

struct Options;

struct CollectorInfo {
  absl::string_view name;
  absl::string_view help;
  absl::string_view privileges;
  bool default_enabled;
};

// Every collector the exporter knows, in the order they run.
const std::vector<CollectorInfo>& KnownCollectors();

// Builds the collectors that `options` enables.
std::vector<std::unique_ptr<Collector>> BuildCollectors(const Options& options);

}  // namespace nfce

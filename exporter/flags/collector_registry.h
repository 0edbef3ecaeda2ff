// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "exporter/flags/flag_table.h"
#include "exporter/flags/options.h"

namespace nfce {

// A collector the exporter knows: its switch (--[no-]collector.<name>), its
// own flags and how to build it, as node_exporter's registerCollector.
struct CollectorEntry {
  absl::string_view name;
  absl::string_view help;
  absl::string_view privileges;
  bool default_enabled;
  // Its own flags (--collector.<name>.*), bound to their place in `o`.
  std::function<std::vector<FlagSpec>(Options* o)> flags;
  std::function<std::unique_ptr<Collector>(
      const Options& o, std::shared_ptr<const KernelView> view)>
      make;
};

// Every collector the exporter knows, in the order they run.
const std::vector<CollectorEntry>& KnownCollectors();

// Builds the collectors that `options` enables.
std::vector<std::unique_ptr<Collector>> BuildCollectors(
    const Options& options, std::shared_ptr<const KernelView> view);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/module.h"
#include "prometheus/metric_family.h"

namespace nfce {

// What every collector of one scrape shares, worked out once per scrape.
// The table's size, which the table and slab collectors both serve.
struct TableLimits {
  uint64_t limit = 0;  // 0 means "no limit" on kernels up to 6.18
  // Separate status: hashsize is root-only, and buckets may be unreadable
  // while count and max are fine.
  absl::StatusOr<uint64_t> buckets = uint64_t{0};
};

struct ScrapeContext {
  ScrapeContext() = default;
  ScrapeContext(ConntrackFlavor f)
      : flavor(f) {}  // NOLINT: {flavor} reads well

  ConntrackFlavor flavor = ConntrackFlavor::kNone;
  // How many times conntrack has appeared (absent, then present) since the
  // exporter started: a change means the module was reloaded in between.
  uint64_t module_generation = 0;
  // nf_conntrack_count as read when the module was detected, if it was.
  std::optional<absl::StatusOr<uint64_t>> entries;
  // Read by the first collector that needs them (TableLimitsOf), so that a
  // scrape reads each sysctl once.
  mutable std::optional<absl::StatusOr<TableLimits>> limits;
};

// One source of kernel state. Collect() runs on every scrape, and only while
// conntrack is loaded (ctx.flavor != kNone).
class Collector {
 public:
  virtual ~Collector() = default;

  // The name used in --collector.<name> and in the `collector` label.
  virtual absl::string_view Name() const = 0;

  // Appends families to `out`. May append some and still fail: whatever was
  // read is served, and the error marks this collector as failed.
  virtual absl::Status Collect(const ScrapeContext& ctx,
                               std::vector<prometheus::MetricFamily>* out) = 0;
};

}  // namespace nfce

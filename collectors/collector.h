// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/kernel/kernel_view.h"
#include "prometheus/metric_family.h"

namespace nfce {

// What every collector of one scrape shares, worked out once per scrape.
struct ScrapeContext {
  // Detects conntrack through `view` (one read of the count sysctl).
  explicit ScrapeContext(const KernelView& view);
  // For a flavor known already: reads the count of that one.
  ScrapeContext(const KernelView& view, ConntrackFlavor flavor);

  const KernelView& view;
  ConntrackFlavor flavor = ConntrackFlavor::kNone;
  // How many times conntrack has appeared (absent, then present) since the
  // exporter started: a change means the module was reloaded in between.
  uint64_t module_generation = 0;
  // nf_conntrack_count as read when the module was detected.
  absl::StatusOr<uint64_t> entries = absl::UnknownError("not read");

  // The limit and buckets, read by the first collector that asks, so that a
  // scrape reads each sysctl once (the table and slab collectors share them).
  const absl::StatusOr<TableLimits>& Limits() const;

 private:
  mutable std::optional<absl::StatusOr<TableLimits>> limits_;
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

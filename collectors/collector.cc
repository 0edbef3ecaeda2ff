// SPDX-License-Identifier: Apache-2.0
#include "collectors/collector.h"

namespace nfce {

ScrapeContext::ScrapeContext(const KernelView& v) : view(v) {
  flavor = view.Detect(&entries);
}

ScrapeContext::ScrapeContext(const KernelView& v, ConntrackFlavor f)
    : view(v), flavor(f), entries(v.Count(f)) {}

const absl::StatusOr<TableLimits>& ScrapeContext::Limits() const {
  if (!limits_) limits_ = view.Limits(flavor);
  return *limits_;
}

}  // namespace nfce

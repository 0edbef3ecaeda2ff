// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mutex>

#include "absl/time/time.h"
#include "collectors/collector.h"

namespace nfce {

struct TimeoutsOptions {
  // Reread at most this often (0: every scrape).
  absl::Duration max_age = absl::Minutes(1);
};

// nf_conntrack_timeout_seconds{protocol,state} from the timeout sysctls.
// They are configuration, changed by hand if at all, and reading two dozen
// sysctls is most of the cost of a scrape: the collector rereads them at
// most once per `max_age` and says so in HELP.
class TimeoutsCollector : public Collector {
 public:
  explicit TimeoutsCollector(TimeoutsOptions options) : options_(options) {}
  absl::string_view Name() const override { return "timeouts"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  absl::Status Read(const ScrapeContext& ctx, prometheus::MetricFamily* out);

  const TimeoutsOptions options_;
  std::mutex mu_;
  absl::Time read_at_ = absl::InfinitePast();
  ConntrackFlavor read_flavor_ = ConntrackFlavor::kNone;
  prometheus::MetricFamily cached_;
  absl::Status cached_status_;
};

}  // namespace nfce

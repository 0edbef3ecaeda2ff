// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectors/collector.h"
#include "collectors/paths.h"

namespace nfce {

struct TimeoutKey {
  std::string protocol;
  std::string state;  // "default" for sysctls without a state suffix
};

// Splits a sysctl name without its prefix, e.g. "tcp_timeout_established"
// -> {tcp, established}, "udp_timeout" -> {udp, default}. Names that are not
// per-protocol conntrack timeouts (frag6_timeout, tcp_max_retrans) give
// nullopt.
std::optional<TimeoutKey> ParseTimeoutSysctlName(absl::string_view name);

// nf_conntrack_timeout_seconds{protocol,state} from the timeout sysctls.
// They are configuration, changed by hand if at all, and reading two dozen
// sysctls is most of the cost of a scrape: the collector rereads them at
// most once per `max_age` (0: on every scrape) and says so in HELP.
class TimeoutsCollector : public Collector {
 public:
  explicit TimeoutsCollector(Paths paths,
                             absl::Duration max_age = absl::ZeroDuration())
      : paths_(std::move(paths)), max_age_(max_age) {}
  absl::string_view Name() const override { return "timeouts"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  absl::Status Read(const ScrapeContext& ctx, prometheus::MetricFamily* out);

  const Paths paths_;
  const absl::Duration max_age_;
  std::mutex mu_;
  absl::Time read_at_ = absl::InfinitePast();
  ConntrackFlavor read_flavor_ = ConntrackFlavor::kNone;
  prometheus::MetricFamily cached_;
  absl::Status cached_status_;
};

}  // namespace nfce

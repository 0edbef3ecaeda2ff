#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
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
class TimeoutsCollector : public Collector {
 public:
  explicit TimeoutsCollector(Paths paths) : paths_(std::move(paths)) {}
  absl::string_view Name() const override { return "timeouts"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  Paths paths_;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/timeouts.h"

#include "absl/strings/str_cat.h"
#include "collectors/families.h"

namespace nfce {

absl::Status TimeoutsCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = absl::Now();
  if (now - read_at_ >= options_.max_age || ctx.flavor != read_flavor_) {
    cached_status_ = Read(ctx, &cached_);
    read_at_ = now;
    read_flavor_ = ctx.flavor;
  }
  if (!cached_.metric.empty()) out->push_back(cached_);
  return cached_status_;
}

absl::Status TimeoutsCollector::Read(const ScrapeContext& ctx,
                                     prometheus::MetricFamily* out) {
  *out = GaugeFamily(
      "nf_conntrack_timeout_seconds",
      absl::StrCat(
          "How long an idle entry is kept, by protocol and state "
          "(nf_conntrack_<protocol>_timeout[_<state>]; state \"default\" is "
          "the sysctl without a state suffix).",
          options_.max_age > absl::ZeroDuration()
              ? absl::StrCat(" Reread at most every ",
                             absl::FormatDuration(options_.max_age), ".")
              : ""));
  TimeoutSysctls timeouts = ctx.view.Timeouts(ctx.flavor);
  for (const TimeoutSysctl& t : timeouts.values) {
    AddSample(out, static_cast<double>(t.seconds),
              {{"protocol", t.key.protocol}, {"state", t.key.state}});
  }
  return timeouts.status;
}

}  // namespace nfce

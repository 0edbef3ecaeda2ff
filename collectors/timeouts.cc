// SPDX-License-Identifier: Apache-2.0
#include "collectors/timeouts.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/families.h"
#include "collectors/file_reader.h"
#include "collectors/module.h"
#include "collectors/sysctl.h"

namespace nfce {

std::optional<TimeoutKey> ParseTimeoutSysctlName(absl::string_view name) {
  constexpr absl::string_view kMarker = "_timeout";
  size_t at = name.find(kMarker);
  if (at == absl::string_view::npos || at == 0) return std::nullopt;
  absl::string_view protocol = name.substr(0, at);
  absl::string_view rest = name.substr(at + kMarker.size());
  if (protocol == "frag6") return std::nullopt;  // reassembly, not conntrack
  for (char c : protocol) {
    if (!absl::ascii_isalnum(c)) return std::nullopt;
  }
  if (rest.empty()) return TimeoutKey{std::string(protocol), "default"};
  if (rest[0] != '_' || rest.size() == 1) return std::nullopt;
  return TimeoutKey{std::string(protocol), std::string(rest.substr(1))};
}

absl::Status TimeoutsCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = absl::Now();
  if (now - read_at_ >= max_age_ || ctx.flavor != read_flavor_) {
    cached_status_ = Read(ctx, &cached_);
    read_at_ = now;
    read_flavor_ = ctx.flavor;
  }
  if (!cached_.metric.empty()) out->push_back(cached_);
  return cached_status_;
}

absl::Status TimeoutsCollector::Read(const ScrapeContext& ctx,
                                     prometheus::MetricFamily* out) {
  SysctlLocation loc = SysctlsOf(paths_, ctx.flavor);
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(loc.dir);
  *out = GaugeFamily(
      "nf_conntrack_timeout_seconds",
      absl::StrCat(
          "How long an idle entry is kept, by protocol and state "
          "(nf_conntrack_<protocol>_timeout[_<state>]; state \"default\" is "
          "the sysctl without a state suffix).",
          max_age_ > absl::ZeroDuration()
              ? absl::StrCat(" Reread at most every ",
                             absl::FormatDuration(max_age_), ".")
              : ""));
  if (!names.ok()) return names.status();
  absl::Status status;
  for (const std::string& name : *names) {
    if (!absl::StartsWith(name, loc.prefix)) continue;
    std::optional<TimeoutKey> key = ParseTimeoutSysctlName(
        absl::string_view(name).substr(loc.prefix.size()));
    if (!key) continue;
    absl::StatusOr<uint64_t> seconds =
        ReadSysctlUint(absl::StrCat(loc.dir, "/", name));
    if (!seconds.ok()) {
      status.Update(seconds.status());  // keep the first error, serve the rest
      continue;
    }
    AddSample(out, static_cast<double>(*seconds),
              {{"protocol", key->protocol}, {"state", key->state}});
  }
  return status;
}

}  // namespace nfce

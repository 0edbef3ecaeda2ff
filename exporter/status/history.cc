// SPDX-License-Identifier: Apache-2.0
#include "exporter/status/history.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace nfce {

void History::Add(Sample s) {
  std::lock_guard<std::mutex> lock(mu_);
  samples_.push_back(s);
  while (samples_.size() > capacity_) samples_.pop_front();
}

std::vector<History::Sample> History::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {samples_.begin(), samples_.end()};
}

Sampler::Sampler(std::shared_ptr<const KernelView> view, History* history,
                 absl::Duration interval)
    : view_(std::move(view)),
      history_(history),
      task_(interval, [this] { SampleOnce(); }) {}

void Sampler::SampleOnce() {
  absl::StatusOr<uint64_t> entries;  // read while detecting the module
  const ConntrackFlavor flavor = view_->Detect(&entries);
  if (flavor == ConntrackFlavor::kNone) return;
  absl::StatusOr<uint64_t> limit = view_->Limit(flavor);
  if (entries.ok() && limit.ok()) {
    history_->Add({absl::Now(), *entries, *limit});
  }
}

std::string Chart(const std::vector<History::Sample>& h, absl::Time now) {
  constexpr int kW = 640, kH = 180, kPad = 4;
  if (h.size() < 2) {
    return "<p class=\"muted\">The chart fills in as samples arrive.</p>";
  }
  uint64_t top = 1;
  for (const auto& s : h) top = std::max({top, s.entries, s.limit});
  // The last hour, or since the exporter started if that is shorter.
  const absl::Time start = std::max(now - absl::Hours(1), h.front().time);
  const double span = std::max(absl::ToDoubleSeconds(now - start), 1.0);
  auto x = [&](absl::Time t) {
    double f = absl::ToDoubleSeconds(t - start) / span;
    return kPad + std::clamp(f, 0.0, 1.0) * (kW - 2 * kPad);
  };
  auto y = [&](uint64_t v) {
    return kH - kPad - static_cast<double>(v) / top * (kH - 2 * kPad);
  };
  std::vector<std::string> entries, limit;
  for (const auto& s : h) {
    entries.push_back(absl::StrFormat("%.1f,%.1f", x(s.time), y(s.entries)));
    if (s.limit)
      limit.push_back(absl::StrFormat("%.1f,%.1f", x(s.time), y(s.limit)));
  }
  return absl::StrCat(
      "<svg class=\"chart\" viewBox=\"0 0 ", kW, " ", kH,
      "\" role=\"img\" aria-label=\"entries against the limit, last hour\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>",
      limit.empty() ? ""
                    : absl::StrCat("<polyline class=\"limit\" points=\"",
                                   absl::StrJoin(limit, " "), "\"/>"),
      "<polyline class=\"entries\" points=\"", absl::StrJoin(entries, " "),
      "\"/></svg><p class=\"muted\">Entries (solid) against the limit (dashed) "
      "over the last ",
      absl::FormatDuration(absl::Seconds(static_cast<int64_t>(span))),
      "; top of the chart ", top, ".</p>");
}

}  // namespace nfce

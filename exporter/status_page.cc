// SPDX-License-Identifier: Apache-2.0
#include "exporter/status_page.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "collectors/module.h"
#include "collectors/sysctl.h"
#include "exporter/doctor/render.h"
#include "exporter/version.h"

namespace nfce {
namespace {

std::string Html(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Entries (line) against the limit (dashed) over the last hour.
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

std::string List(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  std::string out = "<ul>";
  for (const auto& i : items) absl::StrAppend(&out, "<li>", Html(i), "</li>");
  return out + "</ul>";
}

std::string Notes(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes) absl::StrAppend(&out, "<p>", Html(n), ".</p>");
  return out;
}

std::string Steps(const std::vector<Step>& steps) {
  std::string out;
  for (const StepGroup& g : GroupSteps(steps)) {
    std::string lines;
    for (const std::string* text : g.texts) {
      absl::StrAppend(&lines, Html(*text), "\n");
    }
    absl::StrAppend(&out, "<p>", g.persistent ? "Persistently" : "Now", ", ",
                    g.heading, ":</p><pre>", lines, "</pre>");
  }
  return out;
}

// What fills the table, from the flows collector's latest dump.
std::string MakeupSection(const HostFacts& f, const Diagnosis& d) {
  std::string out = "<h2>What fills the table</h2>";
  if (!f.makeup) {
    return absl::StrCat(out, "<p class=\"muted\">", Html(f.makeup_note),
                        "</p>");
  }
  MakeupLines lines = DescribeMakeup(*f.makeup);
  absl::StrAppend(&out, "<p class=\"muted\">", Html(f.makeup_note), "</p>",
                  "<p>By protocol and state:</p>", List(lines.composition),
                  "<p>", Html(lines.unreplied), ".</p>");
  if (!lines.sources.empty()) {
    absl::StrAppend(&out, "<p>Top sources:</p>", List(lines.sources));
  }
  if (!lines.destinations.empty()) {
    absl::StrAppend(&out, "<p>Top destinations:</p>", List(lines.destinations));
  }
  if (!lines.idle.empty()) {
    absl::StrAppend(&out, "<p>", Html(lines.idle[0]), ":</p>",
                    List({lines.idle.begin() + 1, lines.idle.end()}));
  }
  for (const Advice& a : d.advice) {
    absl::StrAppend(&out, "<h3>", Html(a.finding), "</h3>", List(a.figures),
                    Steps(a.steps));
  }
  return out;
}

}  // namespace

void History::Add(Sample s) {
  std::lock_guard<std::mutex> lock(mu_);
  samples_.push_back(s);
  while (samples_.size() > capacity_) samples_.pop_front();
}

std::vector<History::Sample> History::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {samples_.begin(), samples_.end()};
}

Sampler::Sampler(Paths paths, History* history, absl::Duration interval)
    : paths_(std::move(paths)),
      history_(history),
      interval_(interval),
      thread_([this] { Run(); }) {}

Sampler::~Sampler() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Sampler::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    absl::StatusOr<uint64_t> entries;  // read while detecting the module
    ConntrackFlavor flavor = DetectConntrack(paths_, &entries);
    if (flavor != ConntrackFlavor::kNone) {
      auto limit = ReadSysctlUint(SysctlsOf(paths_, flavor).File("max"));
      if (entries.ok() && limit.ok()) {
        history_->Add({absl::Now(), *entries, *limit});
      }
    }
    lock.lock();
    wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_),
                   [this] { return stop_; });
  }
}

std::string RenderStatusPage(const HostFacts& f, const Diagnosis& d,
                             const std::vector<History::Sample>& history,
                             const std::string& telemetry_path,
                             absl::Time now) {
  const double usage = f.Usage().value_or(0);
  const std::string verdict(VerdictName(d.verdict));
  std::string reasons;
  for (const auto& r : d.reasons)
    absl::StrAppend(&reasons, "<li>", Html(r), "</li>");
  std::string counters;
  for (const char* name : {"drop", "early_drop", "insert_failed",
                           "chaintoolong", "clash_resolve"}) {
    auto it = f.counters.find(name);
    if (it == f.counters.end()) continue;
    absl::StrAppend(&counters, "<tr><td>", name, "</td><td class=\"num\">",
                    it->second, "</td></tr>");
  }
  std::string table;
  if (f.flavor != ConntrackFlavor::kNone) {
    table = absl::StrCat(
        "<h2>Table</h2><div class=\"bar\" title=\"usage\"><div class=\"fill ",
        absl::AsciiStrToLower(verdict), "\" style=\"width:",
        absl::StrFormat("%.1f", std::min(usage, 1.0) * 100),
        "%\"></div><div class=\"mark\" style=\"left:75%\"></div>"
        "<div class=\"mark\" style=\"left:90%\"></div></div>"
        "<p><span id=\"usage\">",
        f.Usage() ? absl::StrFormat("%.1f%%", usage * 100) : "unknown",
        "</span> full: ", EntriesText(f), ". Marks at 75 % and 90 %.</p>",
        Chart(history, now));
    if (std::string buckets = BucketsText(f); !buckets.empty()) {
      absl::StrAppend(&table, "<p>", buckets, ".</p>");
    }
    absl::StrAppend(&table, "<h2>Counters</h2><table>", counters,
                    "</table><p class=\"muted\">", Html(f.counters_note),
                    "</p>");
    absl::StrAppend(
        &table, "<h2>Memory</h2><p>Slab object ",
        f.object_size ? absl::StrCat(*f.object_size, " bytes")
                      : "unknown (slab unreadable; 256 bytes assumed)",
        f.slab_bytes
            ? absl::StrCat(", the cache holds ", FormatMiB(*f.slab_bytes))
            : "",
        ".</p>");
  }
  std::string makeup = MakeupSection(f, d);
  std::string rec;
  if (d.recommendation) {
    const Recommendation& r = *d.recommendation;
    rec = absl::StrCat(
        "<h2>Recommendation</h2><p>Limit ", r.limit,
        r.limit_already_enough ? " (the current limit is enough)" : "",
        ", buckets ", r.buckets, " (1 : 1). A full table costs ",
        FormatMiB(r.current_memory_bytes), " now and ",
        FormatMiB(r.memory_bytes),
        absl::StrFormat(" at the recommendation (%.1f%% of RAM).</p>",
                        r.ram_share * 100),
        Notes(r.notes), Steps(r.steps));
  }
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"refresh\" content=\"10\">"
      "<meta name=\"viewport\" content=\"width=device-width\">"
      "<title>nf_conntrack ",
      verdict,
      "</title><style>"
      "body{font:15px/1.4 system-ui,sans-serif;max-width:680px;margin:1em auto;"
      "padding:0 1em;color:#222}"
      ".verdict{padding:.6em 1em;border-radius:6px;color:#fff;font-weight:bold}"
      ".ok{background:#2e7d32}.warning{background:#ef6c00}"
      ".critical{background:#c62828}.unknown{background:#616161}"
      ".bar{position:relative;height:22px;background:#eee;border-radius:4px;"
      "overflow:hidden}.bar .fill{height:100%}"
      ".bar .mark{position:absolute;top:0;bottom:0;width:2px;background:#222}"
      ".chart{width:100%;height:auto;border:1px solid #ddd}"
      ".chart .entries{fill:none;stroke:#1565c0;stroke-width:2}"
      ".chart .limit{fill:none;stroke:#c62828;stroke-width:1.5;"
      "stroke-dasharray:6 4}"
      "table{border-collapse:collapse}td{padding:2px 12px 2px 0}"
      ".num{text-align:right;font-variant-numeric:tabular-nums}"
      "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}"
      ".muted{color:#666;font-size:13px}"
      "</style></head><body>"
      "<h1>nf_conntrack on this host</h1>"
      "<div id=\"verdict\" class=\"verdict ",
      absl::AsciiStrToLower(verdict), "\">", verdict, "</div><ul>", reasons,
      "</ul>", table, makeup, rec, "<p><a href=\"", Html(telemetry_path),
      "\">Metrics</a> · kernel ", Html(f.kernel_release), " · exporter ",
      kVersion, " · this page reloads every 10 s</p></body></html>\n");
}

}  // namespace nfce

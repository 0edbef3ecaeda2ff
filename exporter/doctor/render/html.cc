// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectors/parse/counters.h"
#include "collectors/parse/slab_parser.h"
#include "exporter/doctor/render/format.h"
#include "exporter/doctor/render/phrases.h"
#include "exporter/doctor/render/render.h"
#include "exporter/doctor/thresholds.h"
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

std::string List(const std::vector<std::string>& items) {
  if (items.empty()) return "";
  std::string out = "<ul>";
  for (const auto& i : items) absl::StrAppend(&out, "<li>", Html(i), "</li>");
  return out + "</ul>";
}

std::string Notes(const std::vector<Finding>& notes) {
  std::string out;
  for (const Finding& n : notes) {
    absl::StrAppend(&out, "<p>", Html(Headline(n)), ".</p>");
  }
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
  MakeupLines lines = DescribeMakeup(f);
  absl::StrAppend(&out, "<p class=\"muted\">", Html(f.makeup_note), "</p>",
                  "<p>By protocol and state:</p>", List(lines.composition),
                  "<p>", Html(lines.unreplied), ".</p>");
  if (!lines.sources.empty()) {
    absl::StrAppend(&out, "<p>Top sources:</p>", List(lines.sources));
  }
  if (!lines.destinations.empty()) {
    absl::StrAppend(&out, "<p>Top destinations:</p>", List(lines.destinations));
  }
  if (!lines.snat.empty()) {
    absl::StrAppend(&out, "<p>Source NAT:</p>", List(lines.snat));
  }
  if (!lines.idle.empty()) {
    absl::StrAppend(&out, "<p>", Html(lines.idle[0]), ":</p>",
                    List({lines.idle.begin() + 1, lines.idle.end()}));
  }
  if (f.namespaces) {
    absl::StrAppend(&out, "<p>Network namespaces with the most entries:</p>",
                    List(DescribeNamespaces(f)));
  }
  for (const Finding& a : ActionableFindings(d)) {
    absl::StrAppend(&out, "<h3>", Html(Headline(a)), "</h3>", List(Figures(a)),
                    Steps(a.steps));
  }
  return out;
}

}  // namespace

std::string RenderHtml(const HostFacts& f, const Diagnosis& d,
                       const HtmlPage& page) {
  const double usage = f.Usage().value_or(0);
  const std::string verdict(VerdictName(d.verdict));
  std::string reasons;
  for (const Finding& r : d.reasons) {
    absl::StrAppend(&reasons, "<li>", Html(ReasonText(r)), "</li>");
  }
  std::string counters;
  for (absl::string_view name : ReportedCounters()) {
    auto it = f.counters.find(std::string(name));
    if (it == f.counters.end()) continue;
    absl::StrAppend(&counters, "<tr><td>", name, "</td><td class=\"num\">",
                    it->second, "</td></tr>");
  }
  // The alerts' thresholds (mixin/thresholds.json), as marks on the bar.
  const std::string warn =
      absl::StrCat(std::lround(kNearlyFullThreshold * 100));
  const std::string crit = absl::StrCat(std::lround(kCriticalThreshold * 100));
  std::string table;
  if (f.flavor != ConntrackFlavor::kNone) {
    table = absl::StrCat(
        "<h2>Table</h2><div class=\"bar\" title=\"usage\"><div class=\"fill ",
        absl::AsciiStrToLower(verdict), "\" style=\"width:",
        absl::StrFormat("%.1f", std::min(usage, 1.0) * 100),
        "%\"></div><div class=\"mark\" style=\"left:", warn,
        "%\"></div><div class=\"mark\" style=\"left:", crit,
        "%\"></div></div><p><span id=\"usage\">",
        f.Usage() ? absl::StrFormat("%.1f%%", usage * 100) : "unknown",
        "</span> full: ", EntriesText(f), ". Marks at ", warn, " % and ", crit,
        " %.</p>", page.chart);
    if (std::string buckets = BucketsText(f); !buckets.empty()) {
      absl::StrAppend(&table, "<p>", buckets, ".</p>");
    }
    if (std::string headroom = HeadroomText(f); !headroom.empty()) {
      absl::StrAppend(&table, "<p>Headroom: ", Html(headroom), ".</p>");
    }
    absl::StrAppend(&table, "<h2>Counters</h2><table>", counters,
                    "</table><p class=\"muted\">", Html(f.counters_note),
                    "</p>");
    if (std::vector<std::string> lines = ExpectationLines(f); !lines.empty()) {
      absl::StrAppend(&table, "<h2>Expectations</h2><p id=\"expectations\">");
      for (size_t i = 0; i < lines.size(); ++i) {
        absl::StrAppend(&table, i ? "<br>" : "", Html(lines[i]), ".");
      }
      absl::StrAppend(&table, "</p>");
    }
    absl::StrAppend(&table, "<h2>Memory</h2><p>Slab object ",
                    f.object_size ? absl::StrCat(*f.object_size, " bytes")
                                  : absl::StrCat("unknown (slab unreadable; ",
                                                 kDefaultConntrackObjectSize,
                                                 " bytes assumed)"),
                    f.slab_bytes ? absl::StrCat(", the cache holds ",
                                                FormatMiB(*f.slab_bytes))
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
      "<meta http-equiv=\"refresh\" content=\"",
      absl::ToInt64Seconds(page.reload),
      "\">"
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
      "</ul>", table, makeup, rec, "<p><a href=\"", Html(page.telemetry_path),
      "\">Metrics</a> · kernel ", Html(f.kernel_release), " · exporter ",
      kVersion, " · this page reloads every ",
      absl::ToInt64Seconds(page.reload), " s</p></body></html>\n");
}

}  // namespace nfce

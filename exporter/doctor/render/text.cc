// SPDX-License-Identifier: Apache-2.0
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectors/parse/counters.h"
#include "collectors/parse/slab_parser.h"
#include "exporter/doctor/render/format.h"
#include "exporter/doctor/render/phrases.h"
#include "exporter/doctor/render/render.h"

namespace nfce {
namespace {

void AppendSteps(const std::vector<Step>& steps, absl::string_view indent,
                 std::string* out) {
  for (const StepGroup& g : GroupSteps(steps)) {
    absl::StrAppend(out, indent, g.persistent ? "persistently, " : "now, ",
                    g.heading, ":\n");
    for (const std::string* text : g.texts) {
      absl::StrAppend(out, indent, "  ", *text, "\n");
    }
  }
}

}  // namespace

std::string RenderText(const HostFacts& f, const Diagnosis& d) {
  std::string out =
      absl::StrCat("nf_conntrack doctor: ", VerdictName(d.verdict), "\n\n");
  for (const Finding& r : d.reasons) {
    absl::StrAppend(&out, "  - ", ReasonText(r), "\n");
  }
  absl::StrAppend(&out, "\nHost\n  kernel ", f.kernel_release, ", ",
                  FormatMiB(static_cast<double>(f.ram_bytes)), " RAM, module ",
                  FlavorName(f.flavor), "\n");
  if (f.flavor == ConntrackFlavor::kNone) return out;
  absl::StrAppend(&out, "  conntrack ",
                  !f.conntrack_builtin   ? "built in or module: unknown"
                  : *f.conntrack_builtin ? "is built into the kernel"
                                         : "is a loadable module",
                  "; network namespace: ",
                  !f.netns_initial ? "unknown"
                  : *f.netns_initial
                      ? "the initial one (the host)"
                      : "a child (container or netns): limits are set on "
                        "the host",
                  f.kube_proxy ? "; kube-proxy runs here" : "", "\n");
  absl::StrAppend(&out, "\nTable\n  ", EntriesText(f), "\n");
  if (std::string headroom = HeadroomText(f); !headroom.empty()) {
    absl::StrAppend(&out, "  ", headroom, "\n");
  }
  if (std::string buckets = BucketsText(f); !buckets.empty()) {
    absl::StrAppend(&out, "  ", buckets);
    if (f.limit) {
      absl::StrAppend(
          &out, absl::StrFormat(", max : buckets = %.2f : 1",
                                static_cast<double>(*f.limit) / *f.buckets));
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "\nCounters (", f.counters_note, ")\n");
  for (absl::string_view name : ReportedCounters()) {
    if (auto it = f.counters.find(std::string(name)); it != f.counters.end()) {
      absl::StrAppend(&out, "  ", name, " ", it->second, "\n");
    }
  }
  absl::StrAppend(
      &out, "\nKernel log\n  ",
      f.kernel_log
          ? absl::StrCat(
                d.table_full_lines,
                " recent 'table full' line(s) for this network namespace")
          : f.kernel_log_note,
      "\n");
  if (d.kernel_log_caveat) {
    absl::StrAppend(&out, "  ", Headline(*d.kernel_log_caveat), "\n");
  }
  if (std::vector<std::string> lines = ExpectationLines(f); !lines.empty()) {
    absl::StrAppend(&out, "\nExpectations\n");
    for (const std::string& l : lines) absl::StrAppend(&out, "  ", l, "\n");
  }
  absl::StrAppend(
      &out, "\nMemory\n  slab object ",
      f.object_size ? absl::StrCat(*f.object_size, " bytes")
                    : absl::StrCat(kDefaultConntrackObjectSize,
                                   " bytes (default: slab unreadable)"),
      f.slab_bytes ? absl::StrCat(", cache holds ", FormatMiB(*f.slab_bytes))
                   : "",
      "\n");
  if (auto t = f.Timeout("tcp_timeout_established")) {
    absl::StrAppend(&out, "\nTimeouts\n  established TCP ", *t, " s (",
                    Duration(*t), ")\n");
  }
  absl::StrAppend(&out, "\nWhat fills the table\n");
  if (!f.makeup) {
    absl::StrAppend(&out, "  ", f.makeup_note, "\n");
  } else {
    MakeupLines lines = DescribeMakeup(f);
    absl::StrAppend(&out, "  by protocol and state (", f.makeup->total,
                    " entries dumped):\n");
    for (const auto& l : lines.composition)
      absl::StrAppend(&out, "    ", l, "\n");
    absl::StrAppend(&out, "  ", lines.unreplied, "\n");
    if (!lines.sources.empty()) absl::StrAppend(&out, "  top sources:\n");
    for (const auto& l : lines.sources) absl::StrAppend(&out, "    ", l, "\n");
    if (!lines.destinations.empty()) {
      absl::StrAppend(&out, "  top destinations:\n");
    }
    for (const auto& l : lines.destinations)
      absl::StrAppend(&out, "    ", l, "\n");
    if (!lines.snat.empty()) absl::StrAppend(&out, "  source NAT:\n");
    for (const auto& l : lines.snat) absl::StrAppend(&out, "    ", l, "\n");
    if (!lines.idle.empty()) absl::StrAppend(&out, "  ", lines.idle[0], ":\n");
    for (size_t i = 1; i < lines.idle.size(); ++i) {
      absl::StrAppend(&out, "    ", lines.idle[i], "\n");
    }
  }
  if (f.namespaces) {
    absl::StrAppend(&out, "\nNetwork namespaces (", f.namespaces->size(),
                    " named", f.namespaces_note.empty() ? "" : "; ",
                    f.namespaces_note, ")\n");
    for (const std::string& l : DescribeNamespaces(f)) {
      absl::StrAppend(&out, "  ", l, "\n");
    }
  }
  for (const Finding& a : ActionableFindings(d)) {
    absl::StrAppend(&out, "\nAdvice\n  ", Headline(a), "\n");
    for (const std::string& fig : Figures(a)) {
      absl::StrAppend(&out, "    - ", fig, "\n");
    }
    AppendSteps(a.steps, "  ", &out);
  }
  if (d.recommendation) {
    const Recommendation& r = *d.recommendation;
    absl::StrAppend(
        &out, "\nRecommendation\n  limit ", r.limit,
        r.limit_already_enough ? " (the current limit is enough)" : "",
        ", buckets ", r.buckets, " (1 : 1)\n  a full table costs ",
        FormatMiB(r.current_memory_bytes), " now, ", FormatMiB(r.memory_bytes),
        " at the recommendation (", Percent(r.ram_share), " of RAM)\n");
    for (const Finding& n : r.notes) {
      absl::StrAppend(&out, "  note: ", Headline(n), "\n");
    }
    AppendSteps(r.steps, "  ", &out);
  }
  return out;
}

}  // namespace nfce

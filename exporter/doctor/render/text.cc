// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectors/slab.h"
#include "exporter/doctor/format.h"
#include "exporter/doctor/render.h"

namespace nfce {
namespace {

std::string TopLine(const TopItem& t, uint64_t total, bool destination) {
  return absl::StrCat(
      t.address,
      destination
          ? absl::StrCat(" ", t.protocol,
                         t.port.empty() ? "" : absl::StrCat("/", t.port))
          : "",
      ": ", t.entries, " entries (", Percent(t.entries, total), "), ",
      t.unreplied, " unreplied",
      t.error ? absl::StrCat(" (may overstate by up to ", t.error, ")") : "");
}

std::string IdleRange(size_t i) {
  const auto& b = IdleHistogram::kBounds;
  auto d = [](double s) { return Duration(static_cast<uint64_t>(s)); };
  if (i == 0) return absl::StrCat("up to ", d(b[0]));
  if (i == b.size()) return absl::StrCat("over ", d(b.back()));
  return absl::StrCat(d(b[i - 1]), " to ", d(b[i]));
}

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

std::string EntriesText(const HostFacts& f) {
  return absl::StrCat(
      f.entries ? absl::StrCat(*f.entries) : std::string("unknown"),
      " entries of ",
      !f.limit        ? std::string("an unknown limit")
      : *f.limit == 0 ? std::string("no limit")
                      : absl::StrCat(*f.limit),
      f.Usage() ? absl::StrCat(" (", Percent(*f.Usage()), ")") : "");
}

std::string BucketsText(const HostFacts& f) {
  if (!f.entries || !f.buckets || *f.buckets == 0) return "";
  return absl::StrFormat(
      "%d buckets: %.2f entries per bucket, mean hash chain length %.2f",
      *f.buckets, static_cast<double>(*f.entries) / *f.buckets,
      2.0 * *f.entries / *f.buckets);
}

std::vector<StepGroup> GroupSteps(const std::vector<Step>& steps) {
  std::vector<StepGroup> out;
  for (const WhereInfo& where : Wheres()) {
    for (bool persistent : {false, true}) {
      StepGroup g{where.heading, persistent, {}};
      for (const Step& s : steps) {
        if (s.where == where.where && s.persistent == persistent) {
          g.texts.push_back(&s.text);
        }
      }
      if (!g.texts.empty()) out.push_back(std::move(g));
    }
  }
  return out;
}

MakeupLines DescribeMakeup(const TableMakeup& m) {
  MakeupLines out;
  std::map<std::pair<std::string, std::string>, uint64_t> by_state;
  for (const auto& [key, count] : m.flows) {
    by_state[{std::string(std::get<1>(key)), std::string(std::get<2>(key))}] +=
        count;
  }
  std::vector<std::pair<uint64_t, std::string>> rows;
  for (const auto& [k, count] : by_state) {
    rows.push_back({count, absl::StrCat(k.first, " ", k.second)});
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (const auto& [count, name] : rows) {
    out.composition.push_back(
        absl::StrCat(name, ": ", count, " (", Percent(count, m.total), ")"));
  }
  out.unreplied =
      absl::StrCat(m.unreplied, " of ", m.total, " entries (",
                   Percent(m.unreplied, m.total), ") have seen no reply");
  for (bool destination : {false, true}) {
    const auto& list = destination ? m.top_destinations : m.top_sources;
    if (!list) continue;
    auto& lines = destination ? out.destinations : out.sources;
    for (size_t i = 0; i < list->items.size() && i < 5; ++i) {
      lines.push_back(TopLine(list->items[i], m.total, destination));
    }
  }
  if (m.tcp_established && m.tcp_established->count) {
    const IdleHistogram& h = *m.tcp_established;
    out.idle.push_back(absl::StrCat(
        h.count, " established TCP entries, idle time = ", h.timeout,
        " s (the timeout) minus the time left",
        h.excluded ? absl::StrCat("; ", h.excluded,
                                  " with a timeout of their own left out")
                   : ""));
    for (size_t i = 0; i < h.counts.size(); ++i) {
      if (h.counts[i]) {
        out.idle.push_back(
            absl::StrCat("idle ", IdleRange(i), ": ", h.counts[i]));
      }
    }
  }
  return out;
}

std::string RenderText(const HostFacts& f, const Diagnosis& d) {
  std::string out =
      absl::StrCat("nf_conntrack doctor: ", VerdictName(d.verdict), "\n\n");
  for (const std::string& r : d.reasons) absl::StrAppend(&out, "  - ", r, "\n");
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
  for (const char* name : {"drop", "early_drop", "insert_failed",
                           "chaintoolong", "clash_resolve", "invalid"}) {
    if (f.counters.count(name)) {
      absl::StrAppend(&out, "  ", name, " ", f.counters.at(name), "\n");
    }
  }
  absl::StrAppend(
      &out, "\nKernel log\n  ",
      f.kernel_log_read
          ? absl::StrCat(
                f.table_full_lines,
                " recent 'table full' line(s) for this network namespace")
          : f.kernel_log_note,
      "\n");
  if (!f.table_full_caveat.empty()) {
    absl::StrAppend(&out, "  ", f.table_full_caveat, "\n");
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
    MakeupLines lines = DescribeMakeup(*f.makeup);
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
    if (!lines.idle.empty()) absl::StrAppend(&out, "  ", lines.idle[0], ":\n");
    for (size_t i = 1; i < lines.idle.size(); ++i) {
      absl::StrAppend(&out, "    ", lines.idle[i], "\n");
    }
  }
  for (const Advice& a : d.advice) {
    absl::StrAppend(&out, "\nAdvice\n  ", a.finding, "\n");
    for (const auto& fig : a.figures)
      absl::StrAppend(&out, "    - ", fig, "\n");
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
    for (const auto& n : r.notes) absl::StrAppend(&out, "  note: ", n, "\n");
    AppendSteps(r.steps, "  ", &out);
  }
  return out;
}

}  // namespace nfce

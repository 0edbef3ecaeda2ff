// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "exporter/doctor/render/format.h"
#include "exporter/doctor/render/phrases.h"
#include "exporter/doctor/render/render.h"
#include "exporter/doctor/steps.h"

namespace nfce {
namespace {

// "10.244.3.17 (pod coredns-x, netns 4026532718)" where the address is
// configured in a namespace the doctor named.
std::string Named(const HostFacts& f, const std::string& address) {
  const NetnsName* n = f.NamespaceOf(address);
  return n ? absl::StrCat(address, " (", WorkloadText(*n), ")") : address;
}

std::string Service(const TopItem& t) {
  return absl::StrCat(t.protocol,
                      t.port.empty() ? "" : absl::StrCat("/", t.port));
}

std::string Overstate(const TopItem& t, absl::string_view what) {
  return t.error ? absl::StrCat(" (", what, " may overstate by up to ", t.error,
                                ")")
                 : "";
}

std::string TopLine(const HostFacts& f, const TopItem& t, uint64_t total,
                    bool destination) {
  return absl::StrCat(Named(f, t.address),
                      destination ? absl::StrCat(" ", Service(t)) : "", ": ",
                      t.entries, " entries (", Percent(t.entries, total), "), ",
                      t.unreplied, " unreplied", Overstate(t, "each"));
}

std::string SnatLine(const HostFacts& f, const TopItem& t) {
  return absl::StrCat(Named(f, t.nat_address), " -> ", Named(f, t.address), " ",
                      Service(t), ": ", t.entries, " of ", f.snat_ports,
                      " source ports in use", Overstate(t, "it"));
}

// Past the sketch's capacity with no key above the noise: say so, and how
// large the largest can be, rather than list keys that may be noise.
std::string NothingStandsOut(const TopList& list, absl::string_view what,
                             absl::string_view unit, uint64_t whole) {
  const double share =
      whole ? static_cast<double>(list.largest) / static_cast<double>(whole)
            : 0;
  return absl::StrCat(
      "no ", what, " stands out: each count is within the error bound of ",
      list.bound, " (more distinct keys than the ", list.capacity,
      " counters); the largest holds at most ", list.largest, " ", unit, " (",
      share < 0.001 ? std::string("under 0.1%") : Percent(share), ")");
}

// The top lines of `list`: the keys that stand out, at most five.
template <typename Line>
std::vector<std::string> TopLines(const TopList& list, absl::string_view what,
                                  absl::string_view unit, uint64_t whole,
                                  Line line) {
  std::vector<std::string> out;
  for (const TopItem& t : list.items) {
    if (out.size() == 5) break;
    if (StandsOut(list, t)) out.push_back(line(t));
  }
  if (out.empty() && !list.items.empty()) {
    out.push_back(NothingStandsOut(list, what, unit, whole));
  }
  return out;
}

std::string IdleRange(size_t i) {
  const auto& b = IdleHistogram::kBounds;
  auto d = [](double s) { return Duration(static_cast<uint64_t>(s)); };
  if (i == 0) return absl::StrCat("up to ", d(b[0]));
  if (i == b.size()) return absl::StrCat("over ", d(b.back()));
  return absl::StrCat(d(b[i - 1]), " to ", d(b[i]));
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

MakeupLines DescribeMakeup(const HostFacts& f) {
  const TableMakeup& m = *f.makeup;
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
    (destination ? out.destinations : out.sources) = TopLines(
        *list, destination ? "destination" : "source", "entries", m.total,
        [&](const TopItem& t) { return TopLine(f, t, m.total, destination); });
  }
  for (const auto& [protocol, count] : m.snat_entries) {
    if (count > 0) {
      out.snat.push_back(
          absl::StrCat(count, " ", protocol, " entries source-NATed"));
    }
  }
  if (m.top_snat) {
    for (std::string& line :
         TopLines(*m.top_snat, "source-NAT tuple", "ports in use",
                  static_cast<uint64_t>(std::max(f.snat_ports, 0)),
                  [&](const TopItem& t) { return SnatLine(f, t); })) {
      out.snat.push_back(std::move(line));
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

}  // namespace nfce

namespace nfce {

std::string HeadroomText(const HostFacts& f) {
  if (!f.makeup) return "";
  const TableMakeup& m = *f.makeup;
  return absl::StrCat("of ", m.total, " entries, ", m.assured,
                      " are assured: ", m.total - m.assured,
                      " could be evicted for new connections");
}

std::vector<std::string> ExpectationLines(const HostFacts& f) {
  if (!f.expect_limit) return {};
  std::vector<std::string> out;
  out.push_back(
      f.expect_entries
          ? absl::StrCat(*f.expect_entries, " expectations of ",
                         *f.expect_limit, " (nf_conntrack_expect_max",
                         f.ExpectUsage()
                             ? absl::StrCat(", ", Percent(*f.ExpectUsage()))
                             : "",
                         "), from ", f.expect_note)
          : absl::StrCat("limit ", *f.expect_limit,
                         " (nf_conntrack_expect_max); expectations ",
                         f.expect_note));
  if (f.kernel_log) {
    out.push_back(absl::StrCat(f.kernel_log->expectation.count,
                               " recent 'expectation table full' line(s) in "
                               "the kernel log (they name no namespace)"));
  }
  return out;
}

std::vector<Finding> ActionableFindings(const Diagnosis& d) {
  std::vector<Finding> out;
  for (const Finding& r : d.reasons) {
    if (!r.steps.empty()) out.push_back(r);
  }
  out.insert(out.end(), d.advice.begin(), d.advice.end());
  return out;
}

std::vector<std::string> DescribeNamespaces(const HostFacts& f) {
  std::vector<std::string> out;
  if (!f.namespaces) return out;
  std::vector<const NetnsName*> ranked;
  for (const NetnsName& n : *f.namespaces) {
    if (n.entries) ranked.push_back(&n);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](auto* a, auto* b) { return *a->entries > *b->entries; });
  for (size_t i = 0; i < ranked.size() && i < 5; ++i) {
    const NetnsName& n = *ranked[i];
    out.push_back(
        absl::StrCat(WorkloadText(n), ": ", *n.entries, " entries",
                     f.limit && *f.limit > 0
                         ? absl::StrCat(" (", Percent(*n.entries, *f.limit),
                                        " of the limit)")
                         : ""));
  }
  return out;
}

}  // namespace nfce

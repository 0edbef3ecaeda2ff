// SPDX-License-Identifier: Apache-2.0
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "exporter/doctor/render.h"

namespace nfce {
namespace {

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonStrings(const std::vector<std::string>& v) {
  std::vector<std::string> quoted;
  for (const auto& s : v) quoted.push_back(JsonString(s));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

template <typename T>
std::string JsonOptional(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_same_v<T, bool>) return *v ? "true" : "false";
  return absl::StrCat(*v);
}

std::string JsonSteps(const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const Step& s : steps) {
    out.push_back(
        absl::StrCat("{\"where\": ", JsonString(Where(s.where).name),
                     ", \"persistent\": ", s.persistent ? "true" : "false",
                     ", \"text\": ", JsonString(s.text), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(out, ", "), "]");
}

std::string JsonTop(const std::optional<TopList>& list) {
  if (!list) return "null";
  std::vector<std::string> items;
  for (const TopItem& t : list->items) {
    items.push_back(absl::StrCat(
        "{\"address\": ", JsonString(t.address),
        t.protocol.empty()
            ? ""
            : absl::StrCat(", \"protocol\": ", JsonString(t.protocol),
                           ", \"port\": ", JsonString(t.port)),
        ", \"entries\": ", t.entries, ", \"unreplied\": ", t.unreplied,
        ", \"error\": ", t.error, "}"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

std::string JsonIdle(const std::optional<IdleHistogram>& h) {
  if (!h) return "null";
  std::vector<std::string> buckets;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h->counts.size(); ++i) {
    cumulative += h->counts[i];
    buckets.push_back(absl::StrCat("{\"le\": ",
                                   i < IdleHistogram::kBounds.size()
                                       ? absl::StrCat(IdleHistogram::kBounds[i])
                                       : std::string("\"+Inf\""),
                                   ", \"count\": ", cumulative, "}"));
  }
  return absl::StrCat("{\"timeout\": ", h->timeout, ", \"count\": ", h->count,
                      ", \"excluded\": ", h->excluded, ", \"buckets\": [",
                      absl::StrJoin(buckets, ", "), "]}");
}

std::string JsonMakeup(const HostFacts& f) {
  if (!f.makeup) return "null";
  const TableMakeup& m = *f.makeup;
  std::vector<std::string> flows;
  for (const auto& [key, count] : m.flows) {
    const auto& [family, protocol, state, zone] = key;
    flows.push_back(absl::StrCat(
        "{\"family\": ", JsonString(family), ", \"protocol\": ",
        JsonString(protocol), ", \"state\": ", JsonString(state),
        ", \"zone\": ", zone < 0 ? "\"other\"" : absl::StrCat(zone),
        ", \"entries\": ", count, "}"));
  }
  return absl::StrCat(
      "{\"entries\": ", m.total, ", \"unreplied\": ", m.unreplied,
      ", \"flows\": [", absl::StrJoin(flows, ", "), "]",
      ", \"top_sources\": ", JsonTop(m.top_sources),
      ", \"top_destinations\": ", JsonTop(m.top_destinations),
      ", \"idle_tcp_established\": ", JsonIdle(m.tcp_established),
      ", \"idle_udp_stream\": ", JsonIdle(m.udp_stream), "}");
}

}  // namespace

std::string RenderJson(const HostFacts& f, const Diagnosis& d) {
  std::vector<std::string> counters;
  for (const auto& [k, v] : f.counters) {
    counters.push_back(absl::StrCat(JsonString(k), ": ", v));
  }
  std::string rec = "null";
  if (d.recommendation) {
    const Recommendation& r = *d.recommendation;
    rec = absl::StrCat(
        "{\"limit\": ", r.limit, ", \"buckets\": ", r.buckets,
        ", \"limit_already_enough\": ",
        r.limit_already_enough ? "true" : "false",
        ", \"memory_bytes\": ", absl::StrFormat("%.0f", r.memory_bytes),
        ", \"current_memory_bytes\": ",
        absl::StrFormat("%.0f", r.current_memory_bytes),
        ", \"ram_share\": ", absl::StrFormat("%.6f", r.ram_share),
        ", \"runtime_commands\": ", JsonStrings(r.RuntimeCommands()),
        ", \"persistent_files\": ", JsonStrings(r.PersistentFiles()),
        ", \"steps\": ", JsonSteps(r.steps),
        ", \"notes\": ", JsonStrings(r.notes), "}");
  }
  std::vector<std::string> advice;
  for (const Advice& a : d.advice) {
    advice.push_back(absl::StrCat("{\"finding\": ", JsonString(a.finding),
                                  ", \"figures\": ", JsonStrings(a.figures),
                                  ", \"steps\": ", JsonSteps(a.steps), "}"));
  }
  return absl::StrCat(
      "{\"verdict\": ", JsonString(VerdictName(d.verdict)),
      ", \"reasons\": ", JsonStrings(d.reasons),
      ", \"module\": ", JsonString(FlavorName(f.flavor)),
      ", \"kernel\": ", JsonString(f.kernel_release),
      ", \"ram_bytes\": ", f.ram_bytes,
      ", \"netns_initial\": ", JsonOptional(f.netns_initial),
      ", \"conntrack_builtin\": ", JsonOptional(f.conntrack_builtin),
      ", \"kube_proxy\": ", f.kube_proxy ? "true" : "false",
      ", \"entries\": ", JsonOptional(f.entries),
      ", \"limit\": ", JsonOptional(f.limit),
      ", \"unreadable\": ", JsonStrings(f.unreadable),
      ", \"buckets\": ", JsonOptional(f.buckets), ", \"counters\": ",
      f.counters_read ? absl::StrCat("{", absl::StrJoin(counters, ", "), "}")
                      : std::string("null"),
      ", \"counters_note\": ", JsonString(f.counters_note),
      ", \"object_size\": ", JsonOptional(f.object_size),
      ", \"kernel_log_table_full_lines\": ",
      f.kernel_log_read ? absl::StrCat(f.table_full_lines) : "null",
      ", \"kernel_log_note\": ",
      JsonString(f.kernel_log_read ? f.table_full_caveat : f.kernel_log_note),
      ", \"makeup\": ", JsonMakeup(f),
      ", \"makeup_note\": ", JsonString(f.makeup_note), ", \"advice\": [",
      absl::StrJoin(advice, ", "), "]", ", \"recommendation\": ", rec, "}\n");
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "exporter/doctor/render/phrases.h"
#include "exporter/doctor/render/render.h"
#include "exporter/doctor/steps.h"

namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) {
      j = *v;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      v = j.get<T>();
    }
  }
};
}  // namespace nlohmann

namespace nfce {
namespace finding {

using nlohmann::json;

// The numbers of each finding, as the JSON's "numbers" object.
#define NFCE_NO_NUMBERS(Type) \
  void to_json(json& j, const Type&) { j = json::object(); }
NFCE_NO_NUMBERS(NotLoaded)
NFCE_NO_NUMBERS(NoLimit)
NFCE_NO_NUMBERS(KernelLogUnnamed)
NFCE_NO_NUMBERS(ChildNamespace)
NFCE_NO_NUMBERS(ModuleLoadOrder)
#undef NFCE_NO_NUMBERS
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Unreadable, fact, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TableCritical, entries, limit, usage,
                                   evictable)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FullOfAssured, assured, limit, share)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpectNearlyFull, entries, limit, usage)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KernelLogExpectFull, lines, last, here,
                                   usage)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TableNearlyFull, entries, limit, usage)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DropsTableFull, drops)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DropsNotFull, drops, invalid, usage,
                                   insert_failed, chaintoolong)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KernelLogTableFull, lines, last)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KernelLogNotCounted, lines, unnamed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KernelLogUnverified, lines, unnamed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EarlyDrops, early_drop)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InsertFailures, insert_failed, chaintoolong)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HashChainsLong, chain_length, threshold)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RecommendationCostly, memory_bytes,
                                   ram_share, budget)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DropsUnknown, counters_note)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TableOk, usage)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KubeProxyOwnsLimit, cpus)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BuiltinHashsize, buckets)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ModuleOrBuiltinUnknown, module, buckets)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Shorten, sysctl, from, to, scaled, what)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IdleEstablished::Candidate, timeout, expired)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IdleEstablished, idle_long, total, timeout,
                                   pick, freed, delete_now, candidates,
                                   established, excluded, kube_proxy)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DominantService, address, protocol, port,
                                   entries, total, unreplied, error, kind,
                                   udp_timeout, udp_scaled, shorten)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DominantClient, address, entries, total,
                                   unreplied, error, unanswered)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimeWaitDominates, time_wait, total, timeout,
                                   shorten)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UnrepliedDominates, unreplied, total, udp,
                                   syn_sent, kind, shorten)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SnatPortsExhausted, nat_address, destination,
                                   port, protocol, in_use, available, error,
                                   share, shorten, kube_proxy)

}  // namespace finding

namespace {

using nlohmann::json;

json Steps(const std::vector<Step>& steps) {
  json out = json::array();
  for (const Step& s : steps) {
    out.push_back({{"where", Where(s.where).name},
                   {"persistent", s.persistent},
                   {"text", s.text}});
  }
  return out;
}

// Each finding with its stable code (docs/doctor.md), severity, numbers,
// English and steps; `part` says which part of the report it belongs to.
json FindingJson(const Finding& f, absl::string_view part) {
  json numbers;
  std::visit([&numbers](const auto& d) { numbers = d; }, f.details);
  return {{"code", f.code()},       {"severity", SeverityName(f.severity)},
          {"part", part},           {"text", Headline(f)},
          {"figures", Figures(f)},  {"numbers", numbers},
          {"steps", Steps(f.steps)}};
}

json Top(const HostFacts& f, const std::optional<TopList>& list) {
  if (!list) return nullptr;
  json items = json::array();
  for (const TopItem& t : list->items) {
    json item = {{"address", t.address}};
    if (!t.nat_address.empty()) item["nat_address"] = t.nat_address;
    if (!t.protocol.empty()) {
      item["protocol"] = t.protocol;
      item["port"] = t.port;
    }
    // Upper bounds, each within `error` of the truth.
    item["entries"] = t.entries;
    item["unreplied"] = t.unreplied;
    item["error"] = t.error;
    item["stands_out"] = StandsOut(*list, t);
    if (const NetnsName* n = f.NamespaceOf(t.address)) {
      item["workload"] = WorkloadText(*n);
    }
    items.push_back(std::move(item));
  }
  return items;
}

// How far the counts of a top list can be trusted.
json TopBound(const std::optional<TopList>& list) {
  if (!list) return nullptr;
  return {{"exact", list->exact},
          {"counters", list->capacity},
          {"bound", list->bound},
          {"largest", list->largest}};
}

json Namespaces(const HostFacts& f) {
  if (!f.namespaces) return nullptr;
  json out = json::array();
  for (const NetnsName& n : *f.namespaces) {
    out.push_back({{"netns", n.netns},
                   {"hostname", n.hostname},
                   {"pod_uid", n.pod_uid},
                   {"container_id", n.container_id},
                   {"addresses", n.addresses},
                   {"entries", n.entries ? json(*n.entries) : json(nullptr)}});
  }
  return out;
}

// Bucket bounds as Prometheus writes its `le` label: always a string.
json Idle(const std::optional<IdleHistogram>& h) {
  if (!h) return nullptr;
  json buckets = json::array();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h->counts.size(); ++i) {
    cumulative += h->counts[i];
    buckets.push_back({{"le", i < IdleHistogram::kBounds.size()
                                  ? absl::StrCat(IdleHistogram::kBounds[i])
                                  : std::string("+Inf")},
                       {"count", cumulative}});
  }
  return {{"timeout", h->timeout},
          {"count", h->count},
          {"excluded", h->excluded},
          {"buckets", buckets}};
}

json Makeup(const HostFacts& f) {
  if (!f.makeup) return nullptr;
  const TableMakeup& m = *f.makeup;
  json flows = json::array();
  for (const auto& [key, count] : m.flows) {
    const auto& [family, protocol, state, zone] = key;
    flows.push_back({{"family", family},
                     {"protocol", protocol},
                     {"state", state},
                     // As the zone label of nf_conntrack_flows: a string.
                     {"zone", zone < 0 ? "other" : absl::StrCat(zone)},
                     {"entries", count}});
  }
  return {{"entries", m.total},
          {"unreplied", m.unreplied},
          {"flows", flows},
          {"top_sources", Top(f, m.top_sources)},
          {"top_destinations", Top(f, m.top_destinations)},
          {"snat_entries", m.snat_entries},
          {"assured", m.assured},
          {"assured_entries", m.assured_entries},
          {"top_snat", Top(f, m.top_snat)},
          {"top_bounds",
           {{"sources", TopBound(m.top_sources)},
            {"destinations", TopBound(m.top_destinations)},
            {"snat", TopBound(m.top_snat)}}},
          {"idle_tcp_established", Idle(m.tcp_established)},
          {"idle_udp_stream", Idle(m.udp_stream)}};
}

template <typename T>
json Optional(const std::optional<T>& v) {
  if (!v) return nullptr;
  return *v;
}

json RecommendationJson(const Recommendation& r) {
  std::vector<std::string> runtime, persistent, notes;
  for (const Step& s : r.steps) {
    (s.persistent ? persistent : runtime).push_back(s.text);
  }
  for (const Finding& n : r.notes) notes.push_back(Headline(n));
  return {
      {"limit", r.limit},
      {"buckets", r.buckets},
      {"limit_already_enough", r.limit_already_enough},
      {"memory_bytes", static_cast<uint64_t>(r.memory_bytes)},
      {"current_memory_bytes", static_cast<uint64_t>(r.current_memory_bytes)},
      {"ram_share", r.ram_share},
      {"runtime_commands", runtime},
      {"persistent_files", persistent},
      {"steps", Steps(r.steps)},
      {"notes", notes}};
}

}  // namespace

std::string RenderJson(const HostFacts& f, const Diagnosis& d) {
  json out;
  std::vector<std::string> reasons, unreadable;
  json findings = json::array();
  for (const Finding& r : d.reasons) {
    reasons.push_back(ReasonText(r));
    findings.push_back(FindingJson(r, "verdict"));
  }
  for (const HostFacts::Missing& m : f.unreadable) {
    unreadable.push_back(MissingText(m));
  }
  json advice = json::array();
  for (const Finding& a : d.advice) {
    advice.push_back({{"code", a.code()},
                      {"finding", Headline(a)},
                      {"figures", Figures(a)},
                      {"steps", Steps(a.steps)}});
  }
  if (d.recommendation) {
    for (const Finding& n : d.recommendation->notes) {
      findings.push_back(FindingJson(n, "recommendation"));
    }
  }
  for (const Finding& a : d.advice)
    findings.push_back(FindingJson(a, "advice"));
  out["verdict"] = VerdictName(d.verdict);
  out["reasons"] = reasons;
  out["findings"] = findings;
  out["module"] = FlavorName(f.flavor);
  out["kernel"] = f.kernel_release;
  out["ram_bytes"] = f.ram_bytes;
  out["netns_initial"] = Optional(f.netns_initial);
  out["conntrack_builtin"] = Optional(f.conntrack_builtin);
  out["kube_proxy"] = f.kube_proxy;
  out["entries"] = Optional(f.entries);
  out["limit"] = Optional(f.limit);
  out["unreadable"] = unreadable;
  out["buckets"] = Optional(f.buckets);
  out["counters"] = f.counters_read ? json(f.counters) : json(nullptr);
  out["counters_note"] = f.counters_note;
  out["object_size"] = Optional(f.object_size);
  out["kernel_log_table_full_lines"] =
      f.kernel_log ? json(d.table_full_lines) : json(nullptr);
  out["kernel_log_note"] =
      f.kernel_log ? (d.kernel_log_caveat ? Headline(*d.kernel_log_caveat)
                                          : std::string())
                   : f.kernel_log_note;
  out["expectations"] =
      f.expect_limit
          ? json{{"entries", Optional(f.expect_entries)},
                 {"limit", *f.expect_limit},
                 {"usage", Optional(f.ExpectUsage())},
                 {"note", f.expect_note},
                 {"kernel_log_full_lines",
                  f.kernel_log ? json(f.kernel_log->expectation.count)
                               : json(nullptr)}}
          : json(nullptr);
  out["makeup"] = Makeup(f);
  out["makeup_note"] = f.makeup_note;
  out["snat_ports"] = f.snat_ports;
  out["namespaces"] = Namespaces(f);
  out["namespaces_note"] = f.namespaces_note;
  out["advice"] = advice;
  out["recommendation"] =
      d.recommendation ? RecommendationJson(*d.recommendation) : json(nullptr);
  // Kernel log lines and file names may hold any bytes: never throw on them.
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/makeup_families.h"

#include <limits>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"

namespace nfce {
namespace {

enum class ListKind { kSource, kDestination, kSnat };

void AddTopList(const TopList& list, ListKind kind,
                prometheus::MetricFamily* family,
                prometheus::MetricFamily* error_bound) {
  for (const TopItem& item : list.items) {
    LabelPairs labels;
    if (kind == ListKind::kSnat) {
      labels = {{"nat_address", item.nat_address},
                {"destination", item.address},
                {"port", item.port},
                {"protocol", item.protocol}};
    } else {
      labels = {{"address", item.address}};
    }
    if (kind == ListKind::kDestination) {
      labels.push_back({"protocol", item.protocol});
      labels.push_back({"port", item.port});
    }
    AddSample(family, static_cast<double>(item.entries), labels);
  }
  constexpr const char* kNames[] = {"source", "destination", "snat"};
  AddSample(error_bound, static_cast<double>(list.bound),
            {{"list", kNames[static_cast<int>(kind)]}});
}

void AddIdle(const IdleHistogram& h, absl::string_view protocol,
             absl::string_view state, prometheus::MetricFamily* histogram,
             prometheus::MetricFamily* excluded) {
  prometheus::ClientMetric m;
  m.label = {{"protocol", std::string(protocol)},
             {"state", std::string(state)}};
  uint64_t cumulative = 0;
  for (size_t i = 0; i < IdleHistogram::kBounds.size(); ++i) {
    cumulative += h.counts[i];
    m.histogram.bucket.push_back({cumulative, IdleHistogram::kBounds[i]});
  }
  m.histogram.bucket.push_back(
      {h.count, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  histogram->metric.push_back(std::move(m));
  AddSample(
      excluded, static_cast<double>(h.excluded),
      {{"protocol", std::string(protocol)}, {"state", std::string(state)}});
}

void AppendFlows(const TableMakeup& m,
                 std::vector<prometheus::MetricFamily>* out) {
  auto flows = GaugeFamily(
      "nf_conntrack_flows",
      "Entries by family, protocol, state (TCP state; unreplied, replied or "
      "assured for others) and zone, from the latest table dump.");
  std::set<std::string> protocols;
  for (const auto& [key, count] : m.flows) {
    const auto& [family, protocol, state, zone] = key;
    protocols.insert(std::string(protocol));
    AddSample(&flows, static_cast<double>(count),
              {{"family", std::string(family)},
               {"protocol", std::string(protocol)},
               {"state", std::string(state)},
               {"zone", zone < 0 ? "other" : absl::StrCat(zone)}});
  }
  out->push_back(std::move(flows));
  // Every protocol the dump holds, 0 where it has none.
  auto by_protocol = [&](prometheus::MetricFamily family,
                         const std::map<std::string, uint64_t>& counts) {
    for (const std::string& protocol : protocols) {
      auto it = counts.find(protocol);
      AddSample(&family,
                static_cast<double>(it == counts.end() ? 0 : it->second),
                {{"protocol", protocol}});
    }
    out->push_back(std::move(family));
  };
  by_protocol(GaugeFamily("nf_conntrack_flows_snat_entries",
                          "Entries the kernel source-NATed (IPS_SRC_NAT: SNAT "
                          "or masquerade), by protocol, from the latest table "
                          "dump."),
              m.snat_entries);
  by_protocol(
      GaugeFamily(
          "nf_conntrack_flows_assured_entries",
          "Assured entries (IPS_ASSURED: TCP past its handshake, UDP that "
          "kept getting replies), by protocol, from the latest table dump. "
          "A full table evicts only entries that are not assured (early_drop, "
          "in the few buckets next to the new entry's); with every entry "
          "assured it drops the packet instead."),
      m.assured_entries);
}

void AppendTopLists(const TableMakeup& m, int snat_ports,
                    std::vector<prometheus::MetricFamily>* out) {
  if (!m.top_sources || !m.top_destinations || !m.top_snat) return;
  const std::string bound = absl::StrCat(
      " Exact while the dump holds at most ", m.top_sources->capacity,
      " distinct keys; beyond that a count may overstate the truth by at "
      "most 2 x entries/",
      m.top_sources->capacity,
      " (nf_conntrack_flows_top_error_bound_entries says by how much), and "
      "a key the sketch did not keep holds at most that many.");
  auto sources = GaugeFamily(
      "nf_conntrack_flows_top_source_entries",
      absl::StrCat("Entries of the top sources of the latest dump, by "
                   "original-direction source address (IPv6: its /64).",
                   bound));
  auto destinations = GaugeFamily(
      "nf_conntrack_flows_top_destination_entries",
      absl::StrCat("Entries of the top destinations of the latest dump, by "
                   "original-direction destination address, protocol and "
                   "port (empty for portless protocols).",
                   bound));
  auto snat = GaugeFamily(
      "nf_conntrack_flows_top_snat_ports_in_use",
      absl::StrCat(
          "Source ports in use of the top source-NAT tuples of the latest "
          "dump: nat_address is the address traffic leaves with (the reply "
          "direction's destination), destination, port and protocol the "
          "original direction's. Each source-NATed entry holds one port of "
          "its tuple (a reply tuple is unique within a zone), so this counts "
          "its entries. When every port of a tuple is taken, new connections "
          "to it fail at insert (insert_failed, drop) on a table far from "
          "full; compare with nf_conntrack_flows_snat_ports_available.",
          bound));
  auto error_bound = GaugeFamily(
      "nf_conntrack_flows_top_error_bound_entries",
      "The most a reported top count may overstate the truth by, and the "
      "most entries a key the sketch did not keep holds (0: every count is "
      "exact).");
  AddTopList(*m.top_sources, ListKind::kSource, &sources, &error_bound);
  AddTopList(*m.top_destinations, ListKind::kDestination, &destinations,
             &error_bound);
  AddTopList(*m.top_snat, ListKind::kSnat, &snat, &error_bound);
  out->push_back(std::move(sources));
  out->push_back(std::move(destinations));
  out->push_back(std::move(snat));
  out->push_back(std::move(error_bound));
  out->push_back(SingleGauge(
      "nf_conntrack_flows_snat_ports_available",
      "Source ports one source-NAT tuple can use (--collector.flows.snat-"
      "ports): without a port range the kernel keeps a client port below 512 "
      "in 1-511, below 1024 in 600-1023, and picks others from 1024-65535 "
      "(64512); a rule with a range (masquerade to :20000-20099) has that "
      "many, which a dump does not show.",
      snat_ports));
}

void AppendIdle(const TableMakeup& m,
                std::vector<prometheus::MetricFamily>* out) {
  if (!m.tcp_established && !m.udp_stream) return;
  prometheus::MetricFamily idle;
  idle.name = "nf_conntrack_flows_idle_seconds";
  idle.help =
      "How long entries have been idle: the state's timeout sysctl minus the "
      "seconds left (TCP established; UDP stream, i.e. assured), from the "
      "latest dump. Entries with a timeout of their own are left out.";
  idle.type = prometheus::MetricType::Histogram;
  auto excluded = GaugeFamily(
      "nf_conntrack_flows_idle_excluded_entries",
      "Entries left out of nf_conntrack_flows_idle_seconds: more time left "
      "than the sysctl gives (a timeout policy of their own) or a fixed "
      "timeout.");
  if (m.tcp_established) {
    AddIdle(*m.tcp_established, "tcp", "established", &idle, &excluded);
  }
  if (m.udp_stream) AddIdle(*m.udp_stream, "udp", "stream", &idle, &excluded);
  out->push_back(std::move(idle));
  out->push_back(std::move(excluded));
}

}  // namespace

void AppendMakeupFamilies(const TableMakeup& makeup, int snat_ports,
                          std::vector<prometheus::MetricFamily>* out) {
  AppendFlows(makeup, out);
  AppendTopLists(makeup, snat_ports, out);
  AppendIdle(makeup, out);
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/flows.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"

namespace nfce {
namespace {

void AddTopList(const TopList& list, bool destinations,
                prometheus::MetricFamily* family,
                prometheus::MetricFamily* error_bound) {
  for (const TopItem& item : list.items) {
    LabelPairs labels = {{"address", item.address}};
    if (destinations) {
      labels.push_back({"protocol", item.protocol});
      labels.push_back({"port", item.port});
    }
    AddSample(family, static_cast<double>(item.entries), labels);
  }
  AddSample(error_bound, static_cast<double>(list.max_error),
            {{"list", destinations ? "destination" : "source"}});
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

}  // namespace

void MakeupBoard::Publish(TableMakeup makeup, absl::Time time) {
  auto shared = std::make_shared<const TableMakeup>(std::move(makeup));
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = {std::move(shared), time};
}

MakeupBoard::Entry MakeupBoard::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

FlowsCollector::FlowsCollector(std::shared_ptr<const KernelView> view,
                               FlowsOptions options)
    : view_(std::move(view)),
      options_(std::move(options)),
      refresh_(options_.interval, [this] { RefreshOnce(); }) {}

void FlowsCollector::RefreshOnce() {
  absl::Time start = absl::Now();
  MakeupOptions o;
  o.max_zones = options_.max_zones;
  o.top = options_.top;
  // Read with every dump: the idle times are measured against them.
  ReadIdleTimeouts(*view_, view_->Detect(), &o);
  absl::StatusOr<TableMakeup> makeup =
      DumpTableMakeup(*view_, o, start + options_.budget);
  absl::Time end = absl::Now();
  if (makeup.ok()) options_.board->Publish(*std::move(makeup), end);
  std::lock_guard<std::mutex> lock(mu_);
  last_duration_seconds_ = absl::ToDoubleSeconds(end - start);
  last_status_ = makeup.status();
}

absl::Status FlowsCollector::Collect(
    const ScrapeContext&, std::vector<prometheus::MetricFamily>* out) {
  MakeupBoard::Entry latest = options_.board->Latest();
  if (const TableMakeup* m = latest.makeup.get()) {
    auto flows = GaugeFamily(
        "nf_conntrack_flows",
        "Entries by family, protocol, state (TCP state; unreplied, replied "
        "or assured for others) and zone, from the latest table dump.");
    for (const auto& [key, count] : m->flows) {
      const auto& [family, protocol, state, zone] = key;
      AddSample(&flows, static_cast<double>(count),
                {{"family", std::string(family)},
                 {"protocol", std::string(protocol)},
                 {"state", std::string(state)},
                 {"zone", zone < 0 ? "other" : absl::StrCat(zone)}});
    }
    out->push_back(std::move(flows));
    if (m->top_sources && m->top_destinations) {
      const std::string bound = absl::StrCat(
          " Exact while the dump holds at most ", m->top_sources->capacity,
          " distinct keys; beyond that a count may overstate the truth by at "
          "most entries/",
          m->top_sources->capacity,
          " (nf_conntrack_flows_top_error_bound_entries says by how much).");
      auto sources = GaugeFamily(
          "nf_conntrack_flows_top_source_entries",
          absl::StrCat("Entries of the top sources of the latest dump, by "
                       "original-direction source address (IPv6: its /64).",
                       bound));
      auto destinations = GaugeFamily(
          "nf_conntrack_flows_top_destination_entries",
          absl::StrCat("Entries of the top destinations of the latest dump, "
                       "by original-direction destination address, protocol "
                       "and port (empty for portless protocols).",
                       bound));
      auto error_bound = GaugeFamily(
          "nf_conntrack_flows_top_error_bound_entries",
          "Largest amount by which a reported top count may overstate the "
          "truth (0: every count is exact).");
      AddTopList(*m->top_sources, false, &sources, &error_bound);
      AddTopList(*m->top_destinations, true, &destinations, &error_bound);
      out->push_back(std::move(sources));
      out->push_back(std::move(destinations));
      out->push_back(std::move(error_bound));
    }
    if (m->tcp_established || m->udp_stream) {
      prometheus::MetricFamily idle;
      idle.name = "nf_conntrack_flows_idle_seconds";
      idle.help =
          "How long entries have been idle: the state's timeout sysctl minus "
          "the seconds left (TCP established; UDP stream, i.e. assured), from "
          "the latest dump. Entries with a timeout of their own are left out.";
      idle.type = prometheus::MetricType::Histogram;
      auto excluded = GaugeFamily(
          "nf_conntrack_flows_idle_excluded_entries",
          "Entries left out of nf_conntrack_flows_idle_seconds: more time "
          "left than the sysctl gives (a timeout policy of their own) or a "
          "fixed timeout.");
      if (m->tcp_established) {
        AddIdle(*m->tcp_established, "tcp", "established", &idle, &excluded);
      }
      if (m->udp_stream) {
        AddIdle(*m->udp_stream, "udp", "stream", &idle, &excluded);
      }
      out->push_back(std::move(idle));
      out->push_back(std::move(excluded));
    }
    out->push_back(SingleGauge(
        "nf_conntrack_flows_last_refresh_timestamp_seconds",
        "When the flows were last dumped successfully (Unix time): the age of "
        "nf_conntrack_flows.",
        absl::ToDoubleSeconds(latest.time - absl::UnixEpoch())));
  }
  std::lock_guard<std::mutex> lock(mu_);
  out->push_back(
      SingleGauge("nf_conntrack_flows_refresh_duration_seconds",
                  "Time the last dump of the table took (successful or not).",
                  last_duration_seconds_));
  return last_status_;
}

}  // namespace nfce

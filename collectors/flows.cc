#include "collectors/flows.h"

#include <linux/netfilter/nfnetlink_conntrack.h>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "collectors/netlink_socket.h"

namespace nfce {
namespace {

struct DumpState {
  FlowAggregator* flows;
  absl::Status status;
};

int FlowCallback(const nlmsghdr* nlh, void* data) {
  auto* state = static_cast<DumpState*>(data);
  absl::StatusOr<FlowKey> key = ParseConntrackMessage(nlh);
  if (!key.ok()) {
    state->status = key.status();
    return MNL_CB_ERROR;
  }
  state->flows->Add(*key);
  return MNL_CB_OK;
}

}  // namespace

void FlowAggregator::Add(const FlowKey& flow) {
  uint32_t zone = flow.zone;
  if (zone != 0 && !zones_.count(flow.zone)) {  // zone 0 is almost all
    if (static_cast<int>(zones_.size()) < max_zones_) {
      zones_.insert(flow.zone);
    } else {
      zone = kOtherZone;
    }
  }
  ++raw_[uint64_t{flow.family} << 48 | uint64_t{flow.protocol} << 40 |
         uint64_t{StateIndex(flow)} << 32 | zone];
  ++total_;
}

std::map<FlowAggregator::Key, uint64_t> FlowAggregator::Counts() const {
  std::map<Key, uint64_t> out;
  for (const auto& [raw, count] : raw_) {
    uint32_t zone = raw & 0xffffffff;
    out[{FamilyLabel(raw >> 48 & 0xff), ProtocolLabel(raw >> 40 & 0xff),
         StateName(raw >> 32 & 0xff),
         zone == kOtherZone ? -1 : static_cast<int>(zone)}] += count;
  }
  return out;
}

absl::StatusOr<FlowAggregator> DumpFlows(int max_zones, absl::Time deadline) {
  FlowAggregator flows(max_zones);
  DumpState state{&flows, absl::OkStatus()};
  absl::Status status =
      CtnetlinkDump(IPCTNL_MSG_CT_GET, FlowCallback, &state, deadline);
  if (!state.status.ok()) return state.status;
  if (!status.ok()) return status;
  return flows;
}

FlowsCollector::FlowsCollector(FlowsOptions options)
    : options_(options), thread_([this] { Run(); }) {}

FlowsCollector::~FlowsCollector() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();  // a dump in progress ends within its budget
}

void FlowsCollector::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    RefreshOnce();
    lock.lock();
    wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.interval),
                   [this] { return stop_; });
  }
}

void FlowsCollector::RefreshOnce() {
  absl::Time start = absl::Now();
  absl::StatusOr<FlowAggregator> flows =
      ConntrackLoadedHere()
          ? DumpFlows(options_.max_zones, start + options_.budget)
          : absl::FailedPreconditionError(
                "nf_conntrack is not loaded; not dumping (ctnetlink could "
                "load it)");
  absl::Time end = absl::Now();
  std::lock_guard<std::mutex> lock(mu_);
  last_duration_seconds_ = absl::ToDoubleSeconds(end - start);
  last_status_ = flows.status();
  if (flows.ok()) {
    latest_ = flows->Counts();
    latest_time_ = end;
  }
}

absl::Status FlowsCollector::Collect(
    const ScrapeContext&, std::vector<prometheus::MetricFamily>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (latest_) {
    auto flows = GaugeFamily(
        "nf_conntrack_flows",
        "Entries by family, protocol, state (TCP state; unreplied, replied "
        "or assured for others) and zone, from the latest table dump.");
    for (const auto& [key, count] : *latest_) {
      const auto& [family, protocol, state, zone] = key;
      AddSample(&flows, static_cast<double>(count),
                {{"family", std::string(family)},
                 {"protocol", std::string(protocol)},
                 {"state", std::string(state)},
                 {"zone", zone < 0 ? "other" : absl::StrCat(zone)}});
    }
    out->push_back(std::move(flows));
    out->push_back(SingleGauge(
        "nf_conntrack_flows_last_refresh_timestamp_seconds",
        "When the flows were last dumped successfully (Unix time): the age of "
        "nf_conntrack_flows.",
        absl::ToDoubleSeconds(latest_time_ - absl::UnixEpoch())));
  }
  out->push_back(
      SingleGauge("nf_conntrack_flows_refresh_duration_seconds",
                  "Time the last dump of the table took (successful or not).",
                  last_duration_seconds_));
  return last_status_;
}

}  // namespace nfce

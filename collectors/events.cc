// SPDX-License-Identifier: Apache-2.0
#include "collectors/events.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <poll.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "collectors/kernel/netlink_socket.h"
#include "collectors/parse/flow_parser.h"

namespace nfce {

EventsCollector::EventsCollector(std::shared_ptr<const KernelView> view,
                                 EventsOptions options)
    : view_(std::move(view)),
      options_(options),
      listener_(absl::Seconds(5), [this] { Run(); }) {}

void EventsCollector::SetStatus(absl::Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  status_ = std::move(status);
}

void EventsCollector::Count(size_t type, absl::string_view protocol) {
  for (size_t p = 0; p < kProtocols.size(); ++p) {
    if (kProtocols[p] == protocol) {
      counts_[type][p].fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
}

void EventsCollector::Run() { SetStatus(Listen()); }

absl::Status EventsCollector::Listen() {
  absl::StatusOr<NetlinkSocket> sock =
      view_->SubscribeConntrackEvents(options_.buffer_bytes);
  if (!sock.ok()) return sock.status();
  SetStatus(absl::OkStatus());

  std::vector<char> buf(1 << 16);
  struct Context {
    EventsCollector* self;
  } ctx{this};
  auto callback = [](const nlmsghdr* nlh, void* data) -> int {
    auto* self = static_cast<Context*>(data)->self;
    uint8_t message = nlh->nlmsg_type & 0xff;
    size_t type;
    if (message == IPCTNL_MSG_CT_NEW) {
      type = 0;
    } else if (message == IPCTNL_MSG_CT_DELETE) {
      type = 1;
    } else {
      return MNL_CB_OK;
    }
    absl::StatusOr<FlowKey> key = ParseConntrackMessage(nlh);
    self->Count(type, key.ok() ? ProtocolLabel(key->protocol) : "other");
    return MNL_CB_OK;
  };
  while (!listener_.stopping()) {
    pollfd p[2] = {{sock->fd(), POLLIN, 0}, {listener_.stop_fd(), POLLIN, 0}};
    int ready = poll(p, 2, -1);
    if (ready < 0 && errno != EINTR) return NetlinkError(errno, "poll");
    // POLLERR too: an overrun (ENOBUFS) is reported by the next receive.
    if (ready <= 0 || p[0].revents == 0) continue;
    ssize_t n = mnl_socket_recvfrom(sock->get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == ENOBUFS) {  // the kernel dropped events: count, go on
        overruns_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (errno == EINTR || errno == EAGAIN) continue;
      return NetlinkError(errno, "receive events");
    }
    // Events carry no sequence number or port: 0 skips those checks.
    mnl_cb_run(buf.data(), n, 0, 0, callback, &ctx);
  }
  return absl::OkStatus();
}

absl::Status EventsCollector::Collect(
    const ScrapeContext&, std::vector<prometheus::MetricFamily>* out) {
  auto events = CounterFamily(
      "nf_conntrack_events_total",
      "Conntrack events received since the exporter started: new entries and "
      "destroyed ones, by protocol.");
  for (size_t t = 0; t < kTypes.size(); ++t) {
    for (size_t p = 0; p < kProtocols.size(); ++p) {
      AddSample(
          &events,
          static_cast<double>(counts_[t][p].load(std::memory_order_relaxed)),
          {{"type", std::string(kTypes[t])},
           {"protocol", std::string(kProtocols[p])}});
    }
  }
  out->push_back(std::move(events));
  auto overruns = CounterFamily(
      "nf_conntrack_events_overruns_total",
      "Times the kernel reported that the event socket overran (ENOBUFS): "
      "each time one or more events were lost, so events_total undercounts.");
  AddSample(&overruns, static_cast<double>(overruns_.load()));
  out->push_back(std::move(overruns));
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/netns.h"

#include <sys/socket.h>

#include <algorithm>

#include "collectors/families.h"
#include "collectors/parse/cgroup.h"

namespace nfce {
namespace {

std::vector<std::string> AddressLabels(const NetnsIdentity& id) {
  std::vector<std::string> out;
  auto add = [&out](std::string a) {
    if (std::find(out.begin(), out.end(), a) == out.end()) {
      out.push_back(std::move(a));
    }
  };
  for (const InterfaceAddress& a : id.addresses) {
    add(AddressText(a.family, a.address));
    if (a.family == AF_INET6) add(AddressText(a.family, a.address, true));
  }
  return out;
}

}  // namespace

std::vector<NetnsName> NameNamespaces(const KernelView& view, int max,
                                      int max_addresses, absl::Status* status) {
  std::vector<NetnsRef> refs = view.NetworkNamespaces();
  if (static_cast<int>(refs.size()) > max) refs.resize(max);
  std::vector<NetnsIdentity> ids =
      view.NetnsIdentities(refs, static_cast<size_t>(max_addresses));
  std::vector<absl::StatusOr<uint64_t>> counts = view.CountsInside(refs);
  std::vector<NetnsName> out;
  for (size_t i = 0; i < refs.size(); ++i) {
    // A namespace that went away while it was read is not a failure.
    if (!ids[i].status.ok() && !absl::IsNotFound(ids[i].status)) {
      status->Update(ids[i].status);
    }
    NetnsName n;
    n.netns = refs[i].label;
    n.hostname = ids[i].hostname;
    const CgroupIdentity who = ParseCgroupIdentity(ids[i].cgroup);
    n.pod_uid = who.pod_uid;
    n.container_id = who.container_id;
    n.addresses = AddressLabels(ids[i]);
    if (counts[i].ok()) n.entries = *counts[i];
    out.push_back(std::move(n));
  }
  return out;
}

void NetnsBoard::Publish(std::vector<NetnsName> names, absl::Time time) {
  auto shared =
      std::make_shared<const std::vector<NetnsName>>(std::move(names));
  std::lock_guard<std::mutex> lock(mu_);
  latest_ = {std::move(shared), time};
}

NetnsBoard::Entry NetnsBoard::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

NetnsCollector::NetnsCollector(std::shared_ptr<const KernelView> view,
                               NetnsOptions options)
    : view_(std::move(view)),
      options_(std::move(options)),
      naming_(options_.interval, [this] { NameOnce(); }) {}

void NetnsCollector::NameOnce() {
  absl::Status status;
  std::vector<NetnsName> names =
      NameNamespaces(*view_, options_.max, options_.max_addresses, &status);
  options_.board->Publish(std::move(names), absl::Now());
  std::lock_guard<std::mutex> lock(mu_);
  naming_status_ = status;
}

absl::Status NetnsCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  std::vector<NetnsRef> refs = ctx.view.NetworkNamespaces();
  out->push_back(SingleGauge(
      "nf_conntrack_netns_found",
      "Network namespaces found (named under /run/netns, or of a process); "
      "at most --collector.netns.max of them are reported.",
      static_cast<double>(refs.size())));
  if (static_cast<int>(refs.size()) > options_.max) refs.resize(options_.max);

  std::vector<absl::StatusOr<uint64_t>> counts = ctx.view.CountsInside(refs);
  auto family = GaugeFamily(
      "nf_conntrack_netns_entries",
      "Conntrack entries of each network namespace, labelled with its name "
      "under /run/netns or else its inode. Each is compared with the global "
      "nf_conntrack_max on its own.");
  absl::Status status;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (counts[i].ok()) {
      AddSample(&family, static_cast<double>(*counts[i]),
                {{"netns", refs[i].label}});
    } else if (!absl::IsNotFound(counts[i].status())) {
      status.Update(counts[i].status());  // a process that exited
    }                                     // is not a failure
  }
  out->push_back(std::move(family));

  NetnsBoard::Entry named = options_.board->Latest();
  if (named.names) {
    auto info = GaugeFamily(
        "nf_conntrack_netns_info",
        "What the host says of each network namespace (always 1): the UTS "
        "hostname of a process in it (a pod's name), the pod UID and "
        "container ID its cgroup names (kubelet, containerd, CRI-O, Docker, "
        "Podman); empty where the host does not say. Refreshed every "
        "--collector.netns.interval.");
    auto addresses = GaugeFamily(
        "nf_conntrack_address_info",
        "Addresses configured in each network namespace (always 1; global "
        "and site scope, an IPv6 address also as its /64), at most "
        "--collector.netns.max-addresses each: join the flows collector's "
        "top sources and destinations on address.");
    for (const NetnsName& n : *named.names) {
      AddSample(&info, 1,
                {{"netns", n.netns},
                 {"hostname", n.hostname},
                 {"pod_uid", n.pod_uid},
                 {"container_id", n.container_id}});
      for (const std::string& a : n.addresses) {
        AddSample(&addresses, 1, {{"address", a}, {"netns", n.netns}});
      }
    }
    out->push_back(std::move(info));
    out->push_back(std::move(addresses));
  }
  std::lock_guard<std::mutex> lock(mu_);
  status.Update(naming_status_);
  return status;
}

}  // namespace nfce

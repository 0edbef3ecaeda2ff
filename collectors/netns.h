// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "collectors/collector.h"
#include "collectors/periodic_task.h"

namespace nfce {

// A network namespace and what the host says of it.
struct NetnsName {
  std::string netns;     // the label: its name under /run/netns, else its inode
  std::string hostname;  // its process's UTS hostname (a pod's name)
  std::string pod_uid;   // from its process's cgroup; "" if none
  std::string container_id;  // the same
  // As labels: IPv4, IPv6, and an IPv6 address's /64 too (as the flows
  // collector counts IPv6 sources), global and site scope only.
  std::vector<std::string> addresses;
  std::optional<uint64_t> entries;  // its conntrack count when named
};

// Names the host's network namespaces (the first `max`, as the collector
// reports them), each with at most `max_addresses` addresses. What could not
// be read leaves a label empty, and the first error lands in `status`.
std::vector<NetnsName> NameNamespaces(const KernelView& view, int max,
                                      int max_addresses, absl::Status* status);

// The latest naming, shared by the netns collector (which writes it) and the
// status page (which reads it), so that a page view names without setns().
class NetnsBoard {
 public:
  struct Entry {
    std::shared_ptr<const std::vector<NetnsName>> names;  // null: not yet
    absl::Time time;
  };
  void Publish(std::vector<NetnsName> names, absl::Time time);
  Entry Latest() const;

 private:
  mutable std::mutex mu_;
  Entry latest_;
};

struct NetnsOptions {
  int max = 64;            // namespaces reported at most
  int max_addresses = 16;  // addresses of each in nf_conntrack_address_info
  absl::Duration interval = absl::Seconds(30);  // between two namings
  std::shared_ptr<NetnsBoard> board = std::make_shared<NetnsBoard>();
};

// nf_conntrack_netns_entries{netns}: the entries of every network namespace,
// read inside each at scrape time (KernelView::CountsInside); and, named on
// a background task (NameNamespaces), nf_conntrack_netns_info{netns,
// hostname, pod_uid, container_id} and nf_conntrack_address_info{address,
// netns}, to join the flows collector's top lists to a workload. The
// exporter's own threads never change namespace. Needs CAP_SYS_ADMIN.
class NetnsCollector : public Collector {
 public:
  NetnsCollector(std::shared_ptr<const KernelView> view, NetnsOptions options);
  absl::string_view Name() const override { return "netns"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  void NameOnce();

  const std::shared_ptr<const KernelView> view_;
  const NetnsOptions options_;
  std::mutex mu_;
  absl::Status naming_status_;  // of the last naming
  PeriodicTask naming_;         // last: stops first
};

}  // namespace nfce

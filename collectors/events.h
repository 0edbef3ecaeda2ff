// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "collectors/periodic_task.h"

namespace nfce {

struct EventsOptions {
  int buffer_bytes = 8 << 20;  // socket receive buffer
};

// nf_conntrack_events_total{type="new"|"destroy",protocol}: a ctnetlink
// event listener on a background thread. When the kernel reports that the
// socket overran (ENOBUFS: events were lost), it counts that in
// nf_conntrack_events_overruns_total and carries on.
//
// Cost: since 5.19 the kernel attaches its event extension (about 128 bytes
// per entry) only while a listener exists in the namespace.
class EventsCollector : public Collector {
 public:
  EventsCollector(std::shared_ptr<const KernelView> view,
                  EventsOptions options);
  absl::string_view Name() const override { return "events"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

  static constexpr std::array<absl::string_view, 2> kTypes = {"new", "destroy"};
  static constexpr std::array<absl::string_view, 7> kProtocols = {
      "tcp", "udp", "icmp", "icmpv6", "sctp", "gre", "other"};

 private:
  void Run();
  absl::Status Listen();  // until the task stops or a fatal error
  void Count(size_t type, absl::string_view protocol);
  void SetStatus(absl::Status status);

  const std::shared_ptr<const KernelView> view_;
  const EventsOptions options_;
  std::array<std::array<std::atomic<uint64_t>, kProtocols.size()>,
             kTypes.size()>
      counts_{};
  std::atomic<uint64_t> overruns_{0};
  std::mutex mu_;
  absl::Status status_;  // why the listener is not running, if it is not
  // Listens; after a failure, tries again 5 s later. Last: stops first.
  PeriodicTask listener_;
};

}  // namespace nfce

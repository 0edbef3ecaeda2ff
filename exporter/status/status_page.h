// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "collectors/flows.h"
#include "collectors/kernel/kernel_log.h"
#include "collectors/kernel/stat_reader.h"
#include "collectors/netns.h"
#include "exporter/http/handler.h"
#include "exporter/status/history.h"

namespace nfce {

// The page at /: the doctor's diagnosis of this host, gathered on each view
// (never on the scrape path), with the sampled history. It reads the stat
// collector's counters (wraps and all, so that it agrees with /metrics),
// the flows collector's latest dump (a view never dumps), and only what the
// kernel log gained since the last view.
class StatusPage : public ReadOnlyHandler {
 public:
  // What the page shows of the collectors' background work: the flows
  // collector's latest dump and the netns collector's latest naming (empty
  // boards where they are off).
  struct Boards {
    std::shared_ptr<MakeupBoard> makeup;
    std::shared_ptr<NetnsBoard> namespaces;
    int snat_ports = kKernelSnatPorts;
  };
  StatusPage(std::shared_ptr<const KernelView> view, StatOptions stat,
             Boards boards, const History& history, std::string telemetry_path);

 private:
  bool Serve(mg_connection* conn, bool head_only) override;

  const std::shared_ptr<const KernelView> view_;
  const StatOptions stat_;
  const Boards boards_;
  const History& history_;
  const std::string telemetry_path_;
  KernelLog kernel_log_;
};

}  // namespace nfce

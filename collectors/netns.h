// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collectors/collector.h"
#include "collectors/paths.h"

namespace nfce {

struct NetnsRef {
  std::string label;  // the name under /run/netns, else the inode
  std::string path;   // a file that setns() accepts
  ino_t inode = 0;
};

// The network namespaces of the host: those named in `run_netns` and those
// of running processes (<procfs>/<pid>/ns/net), once each (by inode), named
// ones first, then by inode.
std::vector<NetnsRef> ListNetworkNamespaces(const Paths& paths,
                                            const std::string& run_netns);

struct NetnsOptions {
  int max = 64;  // namespaces reported at most
  std::string run_netns = "/run/netns";
};

// nf_conntrack_netns_entries{netns}: the entries of every network namespace,
// read inside each from a short-lived thread that joins it with setns();
// the exporter's own threads never change namespace. Needs CAP_SYS_ADMIN.
class NetnsCollector : public Collector {
 public:
  NetnsCollector(Paths paths, NetnsOptions options)
      : paths_(std::move(paths)), options_(std::move(options)) {}
  absl::string_view Name() const override { return "netns"; }
  absl::Status Collect(const ScrapeContext& ctx,
                       std::vector<prometheus::MetricFamily>* out) override;

 private:
  const Paths paths_;
  const NetnsOptions options_;
};

}  // namespace nfce

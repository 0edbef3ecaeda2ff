// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "exporter/status_page.h"
#include "exporter/web_config.h"
#include "prometheus/collectable.h"

class CivetServer;

namespace nfce {

struct Options;

// Converts a Prometheus-style listen address ([host]:port) into civetweb's
// listening_ports syntax. IPv6 hosts need a civetweb built with IPv6 (Debian
// 12's is not).
absl::StatusOr<std::string> CivetListeningPort(absl::string_view address,
                                               bool ipv6_supported);

// Why an IPv4 civetweb listening port ("127.0.0.1:19372", "19372") cannot be
// bound, e.g. "Address already in use"; "" if it can be, or cannot be told.
std::string WhyCannotBind(absl::string_view civet_port);

// Serves the status page at /, the metrics at the telemetry path, and the
// probes /-/healthy and /-/ready; other paths get 404. Stops (and lets
// in-flight requests finish) when destroyed.
class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const Options& options, const WebConfig& web,
      const prometheus::Collectable& metrics, const History& history);
  ~HttpServer();

  // Waits until no request is being served, at most `max_wait`; false if
  // some still were. Call before destroying the server.
  bool Drain(absl::Duration max_wait);

  struct Policy;

 private:
  class MetricsHandler;
  class StaticHandler;
  class StatusHandler;
  HttpServer() = default;

  std::unique_ptr<Policy> policy_;
  std::unique_ptr<MetricsHandler> metrics_;
  std::unique_ptr<StatusHandler> status_;
  std::vector<std::unique_ptr<StaticHandler>> statics_;
  std::unique_ptr<CivetServer> server_;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "exporter/http/handler.h"
#include "exporter/http/http_options.h"
#include "exporter/http/web_config.h"

class CivetServer;

namespace nfce {

// Serves each handler at its path, and the probes /-/healthy and /-/ready;
// other paths get 404. Knows HTTP (TLS, basic auth, headers, limits), not
// what the handlers serve. Stops (and lets in-flight requests finish) when
// destroyed.
class HttpServer {
 public:
  // `web` is the web config at start; with `web_config_file` named, the
  // server reads it again when it or a file it names changes
  // (web_config_watcher.h).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      const HttpOptions& options, const WebConfig& web,
      std::vector<std::unique_ptr<ReadOnlyHandler>> handlers,
      const std::string& web_config_file = "");
  ~HttpServer();

  // Waits until no request is being served, at most `max_wait`; false if
  // some still were. Call before destroying the server.
  bool Drain(absl::Duration max_wait);

 private:
  HttpServer() = default;

  std::unique_ptr<HttpPolicy> policy_;
  std::vector<std::unique_ptr<ReadOnlyHandler>> handlers_;
  std::unique_ptr<CivetServer> server_;  // last: stops first
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <atomic>
#include <string>

#include "exporter/http/gzip_pool.h"
#include "exporter/http/handler.h"
#include "prometheus/collectable.h"

namespace nfce {

// The telemetry path: whatever `metrics` collects, and the server's own
// request counter, in the text format; gzip when the client asks (as
// Prometheus does).
class MetricsHandler : public ReadOnlyHandler {
 public:
  MetricsHandler(std::string path, const prometheus::Collectable& metrics,
                 int max_requests)
      : ReadOnlyHandler(std::move(path)),
        metrics_(metrics),
        max_requests_(max_requests) {}

 private:
  bool Serve(mg_connection* conn, bool head_only) override;

  static constexpr char kType[] = "text/plain; version=0.0.4; charset=utf-8";
  const prometheus::Collectable& metrics_;
  GzipPool gzip_;
  const int max_requests_;
  std::atomic<int> scrapes_{0};
  std::atomic<size_t> body_size_{0};  // of the last scrape
};

}  // namespace nfce

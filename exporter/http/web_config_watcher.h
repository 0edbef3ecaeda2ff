// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/http/basic_auth.h"
#include "exporter/http/tls_context.h"
#include "exporter/http/web_config.h"

namespace nfce {

// What one reading of --web.config.file gives the server.
struct ServingConfig {
  std::string extra_headers;        // "Name: value\r\n" lines
  std::unique_ptr<BasicAuth> auth;  // null: no authentication
  // With TLS: a context of its own, which each new connection switches to
  // (a reload builds a new one; connections keep the one they started on).
  std::optional<TlsContext> tls;
};

// The web config as the server applies it, read again when the file or a
// file it names (certificate, key, client CA) changes, as exporter-toolkit
// does: each new TLS connection and each request asks for it, and a change
// seen then (a stat() of each file) is loaded and checked whole. Files that
// do not load keep the previous config; the log says why, once per change.
// Turning TLS on or off needs a restart (the listening ports are set then).
class WebConfigWatcher {
 public:
  // `path` "" watches nothing: `initial` (empty) is served as it is.
  static absl::StatusOr<std::unique_ptr<WebConfigWatcher>> Start(
      std::string path, const WebConfig& initial);

  std::shared_ptr<const ServingConfig> Current();

 private:
  struct Stamp {
    std::string path;
    struct stat st {};
    bool exists = false;
  };
  explicit WebConfigWatcher(std::string path) : path_(std::move(path)) {}
  static absl::StatusOr<std::shared_ptr<const ServingConfig>> Build(
      const WebConfig& web);
  std::vector<Stamp> StampsOf(const WebConfig& web) const;
  bool Changed(const std::vector<Stamp>& stamps) const;

  const std::string path_;
  std::mutex mu_;
  std::shared_ptr<const ServingConfig> current_;
  bool tls_ = false;
  // Of the files last read (loaded or not): a reload is tried when they
  // change.
  std::vector<Stamp> stamps_;
};

}  // namespace nfce

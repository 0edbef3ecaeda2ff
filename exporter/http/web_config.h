// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "exporter/http/tls_config.h"

namespace nfce {

// --web.config.file, in the Prometheus exporter-toolkit format:
//
//   tls_server_config:
//     cert_file: server.crt
//     key_file: server.key
//     min_version: TLS12            # TLS12 (default) or TLS13
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: clients.crt
//   basic_auth_users:
//     alice: $2y$10$...             # bcrypt
//   http_server_config:
//     headers:
//       X-Frame-Options: deny
struct WebConfig {
  using Tls = TlsConfig;
  std::optional<Tls> tls;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;
};

// Parses and validates the YAML; relative file names are resolved against
// `base_dir` (the config file's folder). Pure: no file is opened.
absl::StatusOr<WebConfig> ParseWebConfig(absl::string_view yaml,
                                         const std::string& base_dir);

// Reads, parses and validates the file, and checks that the certificate,
// key and CA load: a bad config is refused whole, at start.
absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path);

}  // namespace nfce

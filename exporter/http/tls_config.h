// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace nfce {

// The tls_server_config of a web config file (web_config.h).
struct TlsConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  std::string client_auth_type = "NoClientCert";
  int min_version = 0;  // an OpenSSL TLS*_VERSION
};

}  // namespace nfce

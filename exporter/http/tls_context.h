// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "exporter/http/tls_config.h"

struct ssl_ctx_st;

namespace nfce {

// Applies a tls_server_config to OpenSSL contexts: minimum version,
// certificate chain and key (checked to match), and client verification.
class TlsContext {
 public:
  // Builds and checks a context of its own: the config's files must load.
  static absl::StatusOr<TlsContext> Create(const TlsConfig& tls);

  // Configures a context someone else created (civetweb's).
  static absl::Status Configure(const TlsConfig& tls, ssl_ctx_st* ctx);

  ssl_ctx_st* get() const { return ctx_.get(); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* ctx) const;
  };
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "absl/strings/str_cat.h"
#include "collectors/kernel/file_reader.h"

namespace nfce {
namespace {

absl::Status OpenSslError(absl::string_view what, const std::string& file) {
  char buf[256] = "unknown error";
  if (unsigned long e = ERR_get_error())
    ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return absl::InvalidArgumentError(
      absl::StrCat("TLS: ", what, " ", file, ": ", buf));
}

}  // namespace

void TlsContext::Free::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

absl::Status TlsContext::Configure(const TlsConfig& tls, SSL_CTX* ctx) {
  // OpenSSL opens these by name and would block on a FIFO or read a device
  // without end: refuse anything but a regular file of a sane size first.
  constexpr size_t kMaxPemBytes = size_t{1} << 20;
  for (const std::string* file :
       {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    if (file->empty()) continue;
    if (absl::Status s = CheckRegularFile(*file, kMaxPemBytes); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("TLS: ", s.message()));
    }
  }
  if (SSL_CTX_set_min_proto_version(ctx, tls.min_version) != 1) {
    return OpenSslError("cannot set the minimum version for", tls.cert_file);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return OpenSslError("cannot load the certificate", tls.cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    return OpenSslError("cannot load the key", tls.key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return OpenSslError("the key does not match the certificate",
                        tls.cert_file);
  }
  if (tls.client_auth_type != "NoClientCert") {
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(),
                                      nullptr) != 1) {
      return OpenSslError("cannot load the client CA", tls.client_ca_file);
    }
    int mode = SSL_VERIFY_PEER;
    if (tls.client_auth_type == "RequireAndVerifyClientCert") {
      mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    SSL_CTX_set_verify(ctx, mode, nullptr);
  }
  return absl::OkStatus();
}

absl::StatusOr<TlsContext> TlsContext::Create(const TlsConfig& tls) {
  TlsContext out;
  out.ctx_.reset(SSL_CTX_new(TLS_server_method()));
  if (!out.ctx_) return OpenSslError("cannot create a context for", "");
  absl::Status status = Configure(tls, out.ctx_.get());
  if (!status.ok()) return status;
  return out;
}

}  // namespace nfce

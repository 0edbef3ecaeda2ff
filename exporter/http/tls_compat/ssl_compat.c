// SPDX-License-Identifier: Apache-2.0
/* Debian 12's civetweb loads OpenSSL at run time with dlopen("libssl.so")
 * and looks up SSL_get_peer_certificate, which OpenSSL 3 no longer exports
 * (it became a macro for SSL_get1_peer_certificate): every TLS connection
 * then calls a null pointer (civetweb issue #1334). This library carries the
 * soname civetweb asks for, provides the old name, and pulls in the real
 * libssl.so.3 for every other symbol. */
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate
X509 *SSL_get_peer_certificate(const SSL *ssl) {
  return SSL_get1_peer_certificate(ssl);
}

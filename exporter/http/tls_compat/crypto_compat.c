// SPDX-License-Identifier: Apache-2.0
/* The soname civetweb dlopen()s for libcrypto: it only forwards to the real
 * libcrypto.so.3, so that TLS works where no development symlink exists. */
#include <openssl/crypto.h>

const char *nfce_crypto_compat_version(void) { return OpenSSL_version(0); }

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "absl/strings/string_view.h"

namespace nfce {

// Whether `hash` is a whole bcrypt hash: $2a$, $2b$ or $2y$, a cost of 04 to
// 31, and 53 characters of salt and digest. Anything else can never match a
// password, so the web config refuses it at start.
bool IsBcryptHash(absl::string_view hash);

// HTTP basic authentication against bcrypt hashes, as Prometheus's
// exporter-toolkit does it:
// - an unknown user costs a bcrypt of the same cost as the costliest known
//   one, so that timing does not tell which user names exist;
// - one bcrypt at a time (tens of milliseconds each: docs/performance.md):
//   a flood of wrong passwords takes one core, not all of them;
// - a successful check is remembered (a SHA-256 of user, hash and password,
//   never the password), so a scrape every 15 s does not pay a bcrypt each
//   time; at most kCacheSize are kept.
class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users);

  bool enabled() const { return !users_.empty(); }
  // Whether the Authorization header carries a user and password of users.
  bool Check(absl::string_view authorization);

  static constexpr size_t kCacheSize = 64;

 private:
  bool Bcrypt(const std::string& password, const std::string& hash);

  const std::map<std::string, std::string> users_;
  std::string dummy_hash_;  // the costliest configured hash
  std::mutex bcrypt_mu_;
  std::mutex cache_mu_;
  std::set<std::string> cache_;
  std::deque<std::string> cache_order_;  // oldest first
};

}  // namespace nfce

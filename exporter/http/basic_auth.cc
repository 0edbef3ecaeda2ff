// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/basic_auth.h"

#include <crypt.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"

namespace nfce {
namespace {

constexpr absl::string_view kBcryptAlphabet =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int Cost(absl::string_view hash) {
  int cost = 0;
  return absl::SimpleAtoi(hash.substr(4, 2), &cost) ? cost : 0;
}

std::string CacheKey(const std::string& user, const std::string& hash,
                     const std::string& password) {
  std::string material = user;
  material.push_back('\0');
  material += hash;
  material.push_back('\0');
  material += password;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(material.data()),
         material.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
}

}  // namespace

bool IsBcryptHash(absl::string_view hash) {
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' ||
      (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') || hash[3] != '$' ||
      hash[6] != '$' || !absl::ascii_isdigit(hash[4]) ||
      !absl::ascii_isdigit(hash[5])) {
    return false;
  }
  const int cost = Cost(hash);
  if (cost < 4 || cost > 31) return false;
  return hash.substr(7).find_first_not_of(kBcryptAlphabet) ==
         absl::string_view::npos;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users)
    : users_(std::move(users)) {
  for (const auto& [user, hash] : users_) {
    if (dummy_hash_.empty() || Cost(hash) > Cost(dummy_hash_)) {
      dummy_hash_ = hash;
    }
  }
}

bool BasicAuth::Bcrypt(const std::string& password, const std::string& hash) {
  std::lock_guard<std::mutex> lock(bcrypt_mu_);
  // crypt_data is 32 KiB: on the heap, not on a web worker's small stack.
  // crypt_rn (libxcrypt) returns null on failure instead of a "*" string.
  auto data = std::make_unique<crypt_data>();
  const char* hashed =
      crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  if (hashed == nullptr || std::strlen(hashed) != hash.size()) return false;
  // Compare every byte: the time must not tell how much of a guess matched.
  unsigned char diff = 0;
  for (size_t i = 0; i < hash.size(); ++i) diff |= hashed[i] ^ hash[i];
  return diff == 0;
}

bool BasicAuth::Check(absl::string_view authorization) {
  constexpr absl::string_view kBasic = "Basic ";
  if (!absl::StartsWithIgnoreCase(authorization, kBasic)) return false;
  std::string decoded;
  if (!absl::Base64Unescape(
          absl::StripAsciiWhitespace(authorization.substr(kBasic.size())),
          &decoded)) {
    return false;
  }
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded.substr(0, colon);
  const std::string password = decoded.substr(colon + 1);
  auto it = users_.find(user);
  if (it == users_.end()) {
    Bcrypt(password, dummy_hash_);  // as long as a known user's check
    return false;
  }
  const std::string key = CacheKey(user, it->second, password);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (cache_.count(key)) return true;
  }
  if (!Bcrypt(password, it->second)) return false;
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (cache_.insert(key).second) {
    cache_order_.push_back(key);
    if (cache_order_.size() > kCacheSize) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
  }
  return true;
}

}  // namespace nfce

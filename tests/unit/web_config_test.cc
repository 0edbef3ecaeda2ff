// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/web_config.h"

#include <crypt.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "exporter/http/basic_auth.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(ParseWebConfig, EmptyFileChangesNothing) {
  auto c = ParseWebConfig("", "/etc");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->tls.has_value());
  EXPECT_TRUE(c->basic_auth_users.empty());
}

TEST(ParseWebConfig, FullConfigResolvesRelativeFiles) {
  auto c = ParseWebConfig(R"(
tls_server_config:
  cert_file: server.crt
  key_file: /keys/server.key
  min_version: TLS13
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
basic_auth_users:
  alice: $2y$10$abcdefghijklmnopqrstuu0123456789012345678901234567890
http_server_config:
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
)",
                          "/etc/exporter");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_TRUE(c->tls.has_value());
  EXPECT_EQ(c->tls->cert_file, "/etc/exporter/server.crt");
  EXPECT_EQ(c->tls->key_file, "/keys/server.key");
  EXPECT_EQ(c->tls->client_ca_file, "/etc/exporter/ca.crt");
  EXPECT_EQ(c->tls->client_auth_type, "RequireAndVerifyClientCert");
  EXPECT_EQ(c->basic_auth_users.count("alice"), 1u);
  ASSERT_EQ(c->headers.size(), 2u);
  EXPECT_EQ(c->headers[0].first, "X-Frame-Options");
}

TEST(ParseWebConfig, RefusesBadConfigsWithAClearMessage) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"tls_server_config: {cert_file: a.crt}", "needs cert_file and key_file"},
      {"tls_server_config: {cert_file: a, key_file: b, min_version: TLS11}",
       "min_version"},
      {"tls_server_config: {cert_file: a, key_file: b, client_auth_type: "
       "RequireAndVerifyClientCert}",
       "needs client_ca_file"},
      {"tls_server_config: {cert_file: a, key_file: b, client_auth_type: Any}",
       "client_auth_type"},
      {"basic_auth_users: {bob: plaintext}", "not a bcrypt hash"},
      {"basic_auth_users: {'a:b': $2y$10$x}", "colon"},
      // Prefix only, a cost out of range, a truncated hash: never a login.
      {"basic_auth_users: {bob: $2y$}", "not a bcrypt hash"},
      {"basic_auth_users: {bob: "
       "$2y$99$abcdefghijklmnopqrstuu0123456789012345678901234567890}",
       "not a bcrypt hash"},
      {"basic_auth_users: {bob: $2y$04$short}", "not a bcrypt hash"},
      {"basic_auth_users:\n  bob: "
       "$2y$10$abcdefghijklmnopqrstuu0123456789012345678901234567890\n  bob: "
       "$2y$10$abcdefghijklmnopqrstuu0123456789012345678901234567890\n",
       "appears twice"},
      {"http_server_config: {headers: {X-Frame-Options: \"de\\0ny\"}}",
       "control character"},
      {"http_server_config: {headers: {X-Frame-Options: \"de\\vny\"}}",
       "control character"},
      {"http_server_config: {headers: {X-Frame-Options: \"de\\x7fny\"}}",
       "control character"},
      {"http_server_config: {headers: {Server: me}}", "may be set"},
      {"tls_config: {}", "unknown key \"tls_config\""},
      {"tls_server_config: {cert_file: a, key_file: b, cert: c}",
       "unknown key \"cert\""},
      {"basic_auth_users: [alice]", "must be a mapping"},
      {"basic_auth_users: {alice: [x", "web config"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseWebConfig(c.yaml, ".");
    ASSERT_FALSE(parsed.ok()) << c.yaml;
    EXPECT_NE(parsed.status().message().find(c.message),
              absl::string_view::npos)
        << c.yaml << " -> " << parsed.status();
  }
}

TEST(LoadWebConfig, RefusesCertificatesThatDoNotLoad) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/web.yml";
  FILE* f = fopen(path.c_str(), "w");
  fputs(
      "tls_server_config: {cert_file: /no/such.crt, key_file: /no/such.key}\n",
      f);
  fclose(f);
  auto c = LoadWebConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/no/such.crt"), absl::string_view::npos);
}

std::string Bcrypt(const char* password) {
  auto data = std::make_unique<crypt_data>();
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof(salt)),
            nullptr);
  const char* hash = crypt_rn(password, salt, data.get(), sizeof(crypt_data));
  EXPECT_NE(hash, nullptr);
  return hash ? hash : "";
}

std::string Basic(const std::string& credentials) {
  return "Basic " + absl::Base64Escape(credentials);
}

TEST(BasicAuth, AcceptsOnlyTheRightPassword) {
  BasicAuth auth({{"alice", Bcrypt("s3cret")}});
  EXPECT_TRUE(auth.Check(Basic("alice:s3cret")));
  EXPECT_TRUE(auth.Check("basic " + absl::Base64Escape("alice:s3cret")));
  EXPECT_TRUE(auth.Check(Basic("alice:s3cret")));  // from the cache
  EXPECT_FALSE(auth.Check(Basic("alice:s3cre")));
  EXPECT_FALSE(auth.Check(Basic("alice:")));
  EXPECT_FALSE(auth.Check(Basic("bob:s3cret")));
  EXPECT_FALSE(auth.Check(Basic("alice")));
  EXPECT_FALSE(auth.Check("Basic !!!not-base64"));
  EXPECT_FALSE(auth.Check("Bearer abc"));
  EXPECT_FALSE(auth.Check(""));
}

TEST(BasicAuth, RecognisesWholeBcryptHashesOnly) {
  const std::string good = Bcrypt("x");
  EXPECT_TRUE(IsBcryptHash(good)) << good;
  EXPECT_TRUE(IsBcryptHash(
      "$2y$10$abcdefghijklmnopqrstuu0123456789012345678901234567890"));
  EXPECT_FALSE(IsBcryptHash("$2y$"));
  EXPECT_FALSE(IsBcryptHash("$2y$04$short"));
  EXPECT_FALSE(IsBcryptHash(
      "$2y$99$abcdefghijklmnopqrstuu0123456789012345678901234567890"));
  EXPECT_FALSE(IsBcryptHash(
      "$2x$10$abcdefghijklmnopqrstuu0123456789012345678901234567890"));
  EXPECT_FALSE(IsBcryptHash(
      "$2y$10$abcdefghijklmnopqrstuu012345678901234567890123456789!"));
}

}  // namespace
}  // namespace nfce

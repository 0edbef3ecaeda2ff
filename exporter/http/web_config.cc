// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/web_config.h"

#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "collectors/kernel/file_reader.h"
#include "exporter/http/basic_auth.h"
#include "exporter/http/tls_context.h"

namespace nfce {
namespace {

// Headers the exporter-toolkit allows; anything else is likely a typo.
constexpr absl::string_view kAllowedHeaders[] = {
    "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
    "X-XSS-Protection", "Content-Security-Policy"};

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("web config: ", what));
}

absl::Status CheckKeys(const YAML::Node& node, absl::string_view where,
                       std::initializer_list<absl::string_view> allowed) {
  if (!node.IsMap()) return Invalid(absl::StrCat(where, " must be a mapping"));
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Invalid(absl::StrCat("unknown key \"", key, "\" in ", where,
                                  " (allowed: ", absl::StrJoin(allowed, ", "),
                                  ")"));
    }
  }
  return absl::OkStatus();
}

std::string Resolve(const std::string& base_dir, const std::string& file) {
  if (file.empty() || file[0] == '/' || base_dir.empty()) return file;
  return absl::StrCat(base_dir, "/", file);
}

absl::StatusOr<WebConfig::Tls> ParseTls(const YAML::Node& n,
                                        const std::string& base_dir) {
  absl::Status keys = CheckKeys(n, "tls_server_config",
                                {"cert_file", "key_file", "client_ca_file",
                                 "client_auth_type", "min_version"});
  if (!keys.ok()) return keys;
  WebConfig::Tls tls;
  auto get = [&](const char* key) {
    return n[key] ? n[key].as<std::string>() : std::string();
  };
  tls.cert_file = Resolve(base_dir, get("cert_file"));
  tls.key_file = Resolve(base_dir, get("key_file"));
  tls.client_ca_file = Resolve(base_dir, get("client_ca_file"));
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return Invalid("tls_server_config needs cert_file and key_file");
  }
  std::string min = get("min_version");
  if (min.empty() || min == "TLS12") {
    tls.min_version = TLS1_2_VERSION;
  } else if (min == "TLS13") {
    tls.min_version = TLS1_3_VERSION;
  } else {
    return Invalid(absl::StrCat("min_version \"", min,
                                "\": use TLS12 or TLS13 (older versions are "
                                "not safe)"));
  }
  if (std::string type = get("client_auth_type"); !type.empty()) {
    tls.client_auth_type = type;
  }
  if (tls.client_auth_type != "NoClientCert" &&
      tls.client_auth_type != "VerifyClientCertIfGiven" &&
      tls.client_auth_type != "RequireAndVerifyClientCert") {
    return Invalid(
        absl::StrCat("client_auth_type \"", tls.client_auth_type,
                     "\": use NoClientCert, VerifyClientCertIfGiven or "
                     "RequireAndVerifyClientCert"));
  }
  if (tls.client_auth_type != "NoClientCert" && tls.client_ca_file.empty()) {
    return Invalid(absl::StrCat("client_auth_type ", tls.client_auth_type,
                                " needs client_ca_file"));
  }
  return tls;
}

}  // namespace

absl::StatusOr<WebConfig> ParseWebConfig(absl::string_view yaml,
                                         const std::string& base_dir) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    WebConfig config;
    if (root.IsNull()) return config;  // an empty file changes nothing
    absl::Status keys = CheckKeys(
        root, "the file",
        {"tls_server_config", "basic_auth_users", "http_server_config"});
    if (!keys.ok()) return keys;
    if (root["tls_server_config"]) {
      absl::StatusOr<WebConfig::Tls> tls =
          ParseTls(root["tls_server_config"], base_dir);
      if (!tls.ok()) return tls.status();
      config.tls = *std::move(tls);
    }
    if (const YAML::Node users = root["basic_auth_users"]) {
      if (!users.IsMap()) return Invalid("basic_auth_users must be a mapping");
      for (const auto& kv : users) {
        std::string user = kv.first.as<std::string>();
        std::string hash = kv.second.as<std::string>();
        if (user.empty() || user.find(':') != std::string::npos) {
          return Invalid(absl::StrCat("user name \"", user,
                                      "\" is empty or holds a colon"));
        }
        if (!IsBcryptHash(hash)) {
          return Invalid(absl::StrCat(
              "the password of \"", user,
              "\" is not a bcrypt hash ($2y$, a cost of 04 to 31, 53 "
              "characters of salt and hash): that user could never log in"));
        }
        if (!config.basic_auth_users.emplace(user, hash).second) {
          return Invalid(absl::StrCat("user \"", user,
                                      "\" appears twice in basic_auth_users"));
        }
      }
    }
    if (const YAML::Node http = root["http_server_config"]) {
      absl::Status http_keys =
          CheckKeys(http, "http_server_config", {"headers"});
      if (!http_keys.ok()) return http_keys;
      if (const YAML::Node headers = http["headers"]) {
        if (!headers.IsMap()) return Invalid("headers must be a mapping");
        for (const auto& kv : headers) {
          std::string name = kv.first.as<std::string>();
          std::string value = kv.second.as<std::string>();
          if (std::find(std::begin(kAllowedHeaders), std::end(kAllowedHeaders),
                        name) == std::end(kAllowedHeaders)) {
            return Invalid(absl::StrCat("header \"", name,
                                        "\" is not one that may be set"));
          }
          // RFC 9110 field values: visible characters, spaces and tabs.
          for (unsigned char ch : value) {
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
              return Invalid(
                  absl::StrCat("header \"", name,
                               "\" has a control character in its value (byte ",
                               static_cast<int>(ch), ")"));
            }
          }
          config.headers.emplace_back(name, value);
        }
      }
    }
    return config;
  } catch (const YAML::Exception& e) {
    return Invalid(e.what());
  }
}

absl::StatusOr<WebConfig> LoadWebConfig(const std::string& path) {
  // A web config is a few lines; the unit runs with MemoryMax=64M.
  constexpr size_t kMaxWebConfigBytes = size_t{1} << 20;
  absl::StatusOr<std::string> text = ReadFileToString(path, kMaxWebConfigBytes);
  if (!text.ok()) return text.status();
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  absl::StatusOr<WebConfig> config = ParseWebConfig(*text, dir);
  if (!config.ok()) {
    return Prefixed(config.status(), path);
  }
  if (config->tls) {
    // Load everything once now, so that a bad file fails the start.
    absl::StatusOr<TlsContext> ctx = TlsContext::Create(*config->tls);
    if (!ctx.ok()) {
      return Prefixed(ctx.status(), path);
    }
  }
  return config;
}

}  // namespace nfce

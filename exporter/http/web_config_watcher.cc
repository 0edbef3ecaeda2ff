// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/web_config_watcher.h"

#include "absl/strings/str_cat.h"
#include "exporter/log.h"

namespace nfce {
namespace {

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
         a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
         a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ServingConfig>> WebConfigWatcher::Build(
    const WebConfig& web) {
  auto config = std::make_shared<ServingConfig>();
  for (const auto& [name, value] : web.headers) {
    absl::StrAppend(&config->extra_headers, name, ": ", value, "\r\n");
  }
  if (!web.basic_auth_users.empty()) {
    config->auth = std::make_unique<BasicAuth>(web.basic_auth_users);
  }
  if (web.tls) {
    absl::StatusOr<TlsContext> ctx = TlsContext::Create(*web.tls);
    if (!ctx.ok()) return ctx.status();
    config->tls = *std::move(ctx);
  }
  return config;
}

std::vector<WebConfigWatcher::Stamp> WebConfigWatcher::StampsOf(
    const WebConfig& web) const {
  std::vector<std::string> files = {path_};
  if (web.tls) {
    for (const std::string* f :
         {&web.tls->cert_file, &web.tls->key_file, &web.tls->client_ca_file}) {
      if (!f->empty()) files.push_back(*f);
    }
  }
  std::vector<Stamp> stamps;
  for (std::string& f : files) {
    Stamp s;
    s.path = std::move(f);
    s.exists = stat(s.path.c_str(), &s.st) == 0;
    stamps.push_back(std::move(s));
  }
  return stamps;
}

bool WebConfigWatcher::Changed(const std::vector<Stamp>& stamps) const {
  for (const Stamp& s : stamps) {
    struct stat now {};
    const bool exists = stat(s.path.c_str(), &now) == 0;
    if (exists != s.exists || (exists && !SameFile(now, s.st))) return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<WebConfigWatcher>> WebConfigWatcher::Start(
    std::string path, const WebConfig& initial) {
  std::unique_ptr<WebConfigWatcher> w(new WebConfigWatcher(std::move(path)));
  absl::StatusOr<std::shared_ptr<const ServingConfig>> built = Build(initial);
  if (!built.ok()) return built.status();
  w->current_ = *std::move(built);
  w->tls_ = initial.tls.has_value();
  if (!w->path_.empty()) w->stamps_ = w->StampsOf(initial);
  return w;
}

std::shared_ptr<const ServingConfig> WebConfigWatcher::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty() || !Changed(stamps_)) return current_;
  // Stamped before reading: a change made during the read is seen next time.
  std::vector<Stamp> config_only = StampsOf(WebConfig{});
  absl::StatusOr<WebConfig> web = LoadWebConfig(path_);
  absl::StatusOr<std::shared_ptr<const ServingConfig>> built =
      absl::UnknownError("not loaded");
  if (!web.ok()) {
    built = web.status();
  } else if (web->tls.has_value() != tls_) {
    built = absl::FailedPreconditionError(
        "turning TLS on or off needs a restart (the listening ports are set "
        "at start)");
  } else {
    built = Build(*web);
  }
  // Tried once per change of the files: the next try waits for the next.
  stamps_ = web.ok() ? StampsOf(*web) : std::move(config_only);
  if (!built.ok()) {
    Log(LogLevel::kError, "web config not reloaded, keeping the previous one",
        {{"file", path_}, {"err", built.status().message()}});
    return current_;
  }
  current_ = *std::move(built);
  Log(LogLevel::kInfo, "web config reloaded", {{"file", path_}});
  return current_;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/http_server.h"

#include <CivetServer.h>
#include <openssl/ssl.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "exporter/http/front_door.h"
#include "exporter/http/listen_address.h"
#include "exporter/http/request_guard.h"
#include "exporter/http/tls_context.h"
#include "exporter/log.h"

namespace nfce {
namespace {

// Each new TLS connection takes the context of the web config as it is now
// (reloaded when its files changed): certificate, key, client CA, minimum
// version. Called before the version is chosen.
int SwitchContext(SSL* ssl, int*, void* arg) {
  std::shared_ptr<const ServingConfig> config =
      static_cast<HttpPolicy*>(arg)->config->Current();
  if (!config->tls) return SSL_CLIENT_HELLO_SUCCESS;
  SSL_CTX* ctx = config->tls->get();
  // The connection holds a reference to the context it switched to.
  if (SSL_set_SSL_CTX(ssl, ctx) != ctx) return SSL_CLIENT_HELLO_ERROR;
  SSL_set_verify(ssl, SSL_CTX_get_verify_mode(ctx), nullptr);
  SSL_set_min_proto_version(ssl, SSL_CTX_get_min_proto_version(ctx));
  return SSL_CLIENT_HELLO_SUCCESS;
}

// civetweb's own server-name callback would switch the connection back to
// civetweb's context (it serves one certificate per domain, read at start).
int KeepContext(SSL*, int*, void*) { return SSL_TLSEXT_ERR_NOACK; }

// civetweb calls this with its SSL_CTX, and the CivetServer as user data.
int InitSsl(void* ssl_ctx, void* user_data) {
  auto* policy = static_cast<HttpPolicy*>(const_cast<void*>(
      static_cast<CivetServer*>(user_data)->getUserContext()));
  auto* ctx = static_cast<ssl_ctx_st*>(ssl_ctx);
  absl::Status s = TlsContext::Configure(*policy->tls, ctx);
  if (!s.ok()) {
    Log(LogLevel::kError, "TLS setup failed", {{"err", s.message()}});
    return -1;
  }
  SSL_CTX_set_client_hello_cb(ctx, SwitchContext, policy);
  SSL_CTX_set_tlsext_servername_callback(ctx, KeepContext);
  return 1;  // the certificate is set up
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    const HttpOptions& options, const WebConfig& web,
    std::vector<std::unique_ptr<ReadOnlyHandler>> handlers,
    const std::string& web_config_file) {
  const bool ipv6 = Ipv6Available();
  std::vector<std::string> ports;
  for (const std::string& address : options.listen_addresses) {
    absl::StatusOr<std::string> port = CivetListeningPort(address, ipv6);
    if (!port.ok()) return port.status();
    // An "s" makes the port TLS-only: plain HTTP to it fails.
    ports.push_back(web.tls ? absl::StrCat(*port, "s") : *port);
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->policy_ = std::make_unique<HttpPolicy>();
  HttpPolicy& policy = *server->policy_;
  absl::StatusOr<std::unique_ptr<WebConfigWatcher>> watcher =
      WebConfigWatcher::Start(web_config_file, web);
  if (!watcher.ok()) return watcher.status();
  policy.config = *std::move(watcher);
  policy.tls = web.tls;

  std::vector<std::string> civet_options = {
      "listening_ports",
      absl::StrJoin(ports, ","),
      // civetweb serves a connection on one thread for as long as it is
      // open: room for slow or idle clients beside Prometheus (about 8 KiB
      // of memory each when idle), and a queue for the rest.
      "num_threads",
      absl::StrCat(options.max_connections),
      "connection_queue",
      absl::StrCat(std::max(options.max_connections, 64)),
      // Prometheus reuses its scrape connection (Go keeps it up to 5
      // minutes idle): once the table is full, a new connection to the
      // exporter would be dropped like any other. civetweb's default closes
      // it after 0.5 s idle, before the next scrape; 2 minutes covers
      // scrape intervals up to a minute with room.
      "enable_keep_alive",
      "yes",
      "keep_alive_timeout_ms",
      "120000",
      // A client that sends nothing, or reads nothing, is cut off.
      "request_timeout_ms",
      absl::StrCat(absl::ToInt64Milliseconds(options.request_timeout)),
      "tcp_nodelay",
      "1",
      // Silent connections wait in the kernel (TCP_DEFER_ACCEPT), not in
      // a thread: room for thousands of them.
      "listen_backlog",
      "4096",
  };
  // The front door keeps what civetweb's threads cannot hold away from them
  // (front_door.h): a silent client is closed once the request timeout
  // passes without a byte, and when the threads run out the connection
  // that least needs its thread is shed.
  FrontDoorLimits door;
  door.max_open = options.max_connections;
  door.defer = std::max(absl::Seconds(1),
                        absl::Trunc(options.request_timeout, absl::Seconds(1)));
  door.tls = web.tls.has_value();
  FrontDoor::Get().Configure(door);
  CivetCallbacks callbacks;
  callbacks.begin_request = BeginRequest;
  callbacks.end_request = EndRequest;
  callbacks.http_error = HttpError;
  if (web.tls) {
    if (mg_check_feature(MG_FEATURES_TLS) == 0) {
      return absl::FailedPreconditionError(
          "tls_server_config: this civetweb has no TLS support");
    }
    callbacks.init_ssl = InitSsl;
    // civetweb loads its TLS library only when a certificate is named; the
    // callback then sets up the context itself (see InitSsl).
    civet_options.insert(civet_options.end(),
                         {"ssl_certificate", web.tls->cert_file});
  }
  // Probes: the process answers HTTP (healthy), and serves metrics (ready:
  // collectors run at scrape time, so there is nothing to wait for).
  constexpr char kText[] = "text/plain; charset=utf-8";
  handlers.push_back(
      std::make_unique<StaticHandler>("/-/healthy", kText, "Healthy\n"));
  handlers.push_back(
      std::make_unique<StaticHandler>("/-/ready", kText, "Ready\n"));
  try {
    server->server_ =
        std::make_unique<CivetServer>(civet_options, &callbacks, &policy);
  } catch (const CivetException& e) {
    // civetweb says only "null context when constructing CivetServer";
    // binding each address ourselves tells which, and why (in use, ...).
    for (size_t i = 0; i < ports.size(); ++i) {
      std::string port = ports[i];
      if (web.tls) port.pop_back();
      if (std::string why = WhyCannotBind(port); !why.empty()) {
        return absl::UnavailableError(absl::StrCat(
            "cannot listen on ", options.listen_addresses[i], ": ", why));
      }
    }
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", absl::StrJoin(options.listen_addresses, ", "),
        ": ", e.what()));
  }
  for (auto& handler : handlers) {
    handler->Bind(&policy);
    server->server_->addHandler(handler->path(), handler.get());
  }
  server->handlers_ = std::move(handlers);
  policy.handlers_ready = true;
  return server;
}

bool HttpServer::Drain(absl::Duration max_wait) {
  absl::Time deadline = absl::Now() + max_wait;
  while (policy_->in_flight.load() > 0) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

HttpServer::~HttpServer() {
  if (server_) server_->close();
}

}  // namespace nfce

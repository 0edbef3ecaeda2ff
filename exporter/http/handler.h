// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <CivetServer.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "exporter/http/basic_auth.h"
#include "exporter/http/web_config.h"
#include "exporter/http/web_config_watcher.h"
#include "prometheus/metric_family.h"

namespace nfce {

// Requests answered, by handler and status code: the exporter's own
// nf_conntrack_exporter_http_requests_total.
class RequestCounter {
 public:
  void Add(absl::string_view handler, int code);
  prometheus::MetricFamily Family() const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, uint64_t> counts_;
};

// What every response shares: the configured headers, and who may ask.
struct HttpPolicy {
  // Requests being served: shutdown waits for them, since civetweb drops
  // every response once it is told to stop.
  std::atomic<int> in_flight{0};
  // Headers, basic auth and TLS, as --web.config.file says now.
  std::unique_ptr<WebConfigWatcher> config;
  std::optional<WebConfig::Tls> tls;  // at start: the ports are TLS ports
  RequestCounter requests;
  std::atomic<bool> handlers_ready{false};  // see BeginRequest
};

// The status line and headers of a response, up to the blank line.
std::string Head(const std::string& extra_headers, int code,
                 absl::string_view reason, absl::string_view content_type,
                 size_t content_length, absl::string_view more_headers);

// Writes a whole response in one write: two small writes on a kept-alive
// connection meet Nagle's algorithm and the client's delayed ACK (40 ms).
void Respond(mg_connection* conn, const std::string& extra_headers, int code,
             absl::string_view reason, absl::string_view content_type,
             absl::string_view body, bool head_only,
             absl::string_view more_headers = "");

// A body written after `kHeadroom` unused bytes at the front of `buffer`,
// so that the head can be put in front of it and both sent in one write
// without copying the body (10 KB and more) into a new string.
struct BodyWithHeadroom {
  static constexpr size_t kHeadroom = 1024;
  std::string buffer;
  explicit BodyWithHeadroom(size_t expected_body);
  absl::string_view body() const {
    return absl::string_view(buffer).substr(kHeadroom);
  }
  // Writes `head` and the body in one write. A head longer than the room
  // (configured headers of over 1 KiB) moves the body once.
  void Send(mg_connection* conn, absl::string_view head, bool head_only);
};

// Serves GET and HEAD of exactly one path (civetweb also hands a handler
// the paths below its own: those get 404); every other method gets 405.
// With basic_auth_users configured, every request needs credentials. The
// server binds it to its policy when it registers it.
class ReadOnlyHandler : public CivetHandler {
 public:
  explicit ReadOnlyHandler(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }
  void Bind(HttpPolicy* policy) { policy_ = policy; }

  bool handleGet(CivetServer*, mg_connection* conn) override;
  bool handleHead(CivetServer*, mg_connection* conn) override;
  bool handlePost(CivetServer*, mg_connection* conn) override;
  bool handlePut(CivetServer*, mg_connection* conn) override;
  bool handleDelete(CivetServer*, mg_connection* conn) override;
  bool handleOptions(CivetServer*, mg_connection* conn) override;
  bool handlePatch(CivetServer*, mg_connection* conn) override;

 protected:
  virtual bool Serve(mg_connection* conn, bool head_only) = 0;
  const HttpPolicy& policy() const { return *policy_; }
  // Every answer of a handler is written in one write, and counted.
  void Answer(mg_connection* conn, int code, absl::string_view reason,
              absl::string_view content_type, absl::string_view body,
              bool head_only, absl::string_view more_headers = "");
  void Reply(mg_connection* conn, absl::string_view content_type,
             absl::string_view body, bool head_only,
             absl::string_view more_headers = "") {
    Answer(conn, 200, "OK", content_type, body, head_only, more_headers);
  }
  // A 200 whose body was written after room for its head.
  void Reply(mg_connection* conn, absl::string_view content_type,
             BodyWithHeadroom* body, bool head_only,
             absl::string_view more_headers);

 private:
  bool Dispatch(mg_connection* conn, bool head_only);
  bool Refuse(mg_connection* conn);

  const std::string path_;
  HttpPolicy* policy_ = nullptr;
};

// A fixed body: the probes' answers.
class StaticHandler : public ReadOnlyHandler {
 public:
  StaticHandler(std::string path, std::string content_type, std::string body)
      : ReadOnlyHandler(std::move(path)),
        content_type_(std::move(content_type)),
        body_(std::move(body)) {}

 private:
  bool Serve(mg_connection* conn, bool head_only) override {
    Reply(conn, content_type_, body_, head_only);
    return true;
  }
  const std::string content_type_;
  const std::string body_;
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/handler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "collectors/families.h"

namespace nfce {

void RequestCounter::Add(absl::string_view handler, int code) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[{std::string(handler), code}];
}

prometheus::MetricFamily RequestCounter::Family() const {
  auto f = CounterFamily(
      "nf_conntrack_exporter_http_requests_total",
      "HTTP requests the exporter answered, by handler (the path that "
      "served it; \"none\" for requests refused before any handler) and "
      "status code.");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [key, n] : counts_) {
    AddSample(&f, static_cast<double>(n),
              {{"handler", key.first}, {"code", absl::StrCat(key.second)}});
  }
  return f;
}

std::string Head(const std::string& extra_headers, int code,
                 absl::string_view reason, absl::string_view content_type,
                 size_t content_length, absl::string_view more_headers) {
  return absl::StrCat(
      "HTTP/1.1 ", code, " ", reason, "\r\nContent-Type: ", content_type,
      "\r\nContent-Length: ", content_length, "\r\nCache-Control: no-store\r\n",
      extra_headers, more_headers, "\r\n");
}

void Respond(mg_connection* conn, const std::string& extra_headers, int code,
             absl::string_view reason, absl::string_view content_type,
             absl::string_view body, bool head_only,
             absl::string_view more_headers) {
  std::string response = Head(extra_headers, code, reason, content_type,
                              body.size(), more_headers);
  if (!head_only) response.append(body.data(), body.size());
  mg_write(conn, response.data(), response.size());
}

BodyWithHeadroom::BodyWithHeadroom(size_t expected_body) {
  buffer.reserve(kHeadroom + expected_body);
  buffer.resize(kHeadroom);
}

void BodyWithHeadroom::Send(mg_connection* conn, absl::string_view head,
                            bool head_only) {
  const size_t body_size = body().size();
  size_t start = 0;
  if (head.size() <= kHeadroom) {
    start = kHeadroom - head.size();
    std::copy(head.begin(), head.end(), buffer.begin() + start);
  } else {
    buffer.replace(0, kHeadroom, head.data(), head.size());
  }
  mg_write(conn, buffer.data() + start,
           head.size() + (head_only ? 0 : body_size));
}

bool ReadOnlyHandler::handleGet(CivetServer*, mg_connection* conn) {
  return Dispatch(conn, false);
}
bool ReadOnlyHandler::handleHead(CivetServer*, mg_connection* conn) {
  return Dispatch(conn, true);
}
bool ReadOnlyHandler::handlePost(CivetServer*, mg_connection* conn) {
  return Refuse(conn);
}
bool ReadOnlyHandler::handlePut(CivetServer*, mg_connection* conn) {
  return Refuse(conn);
}
bool ReadOnlyHandler::handleDelete(CivetServer*, mg_connection* conn) {
  return Refuse(conn);
}
bool ReadOnlyHandler::handleOptions(CivetServer*, mg_connection* conn) {
  return Refuse(conn);
}
bool ReadOnlyHandler::handlePatch(CivetServer*, mg_connection* conn) {
  return Refuse(conn);
}

void ReadOnlyHandler::Answer(mg_connection* conn, int code,
                             absl::string_view reason,
                             absl::string_view content_type,
                             absl::string_view body, bool head_only,
                             absl::string_view more_headers) {
  Respond(conn, policy_->config->Current()->extra_headers, code, reason,
          content_type, body, head_only, more_headers);
  policy_->requests.Add(path_, code);
}

void ReadOnlyHandler::Reply(mg_connection* conn, absl::string_view content_type,
                            BodyWithHeadroom* body, bool head_only,
                            absl::string_view more_headers) {
  body->Send(conn,
             Head(policy_->config->Current()->extra_headers, 200, "OK",
                  content_type, body->body().size(), more_headers),
             head_only);
  policy_->requests.Add(path_, 200);
}

bool ReadOnlyHandler::Dispatch(mg_connection* conn, bool head_only) {
  struct InFlight {
    std::atomic<int>& n;
    explicit InFlight(std::atomic<int>& count) : n(count) { ++n; }
    ~InFlight() { --n; }
  } in_flight(policy_->in_flight);
  if (std::shared_ptr<const ServingConfig> config = policy_->config->Current();
      config->auth) {
    const char* auth = mg_get_header(conn, "Authorization");
    if (auth == nullptr || !config->auth->Check(auth)) {
      Answer(conn, 401, "Unauthorized", "text/plain; charset=utf-8",
             "401 Unauthorized\n", head_only,
             "WWW-Authenticate: Basic realm=\"nf_conntrack_exporter\"\r\n");
      return true;
    }
  }
  if (mg_get_request_info(conn)->local_uri != path_) {
    Answer(conn, 404, "Not Found", "text/plain; charset=utf-8",
           "404 page not found\n", head_only);
    return true;
  }
  return Serve(conn, head_only);
}

bool ReadOnlyHandler::Refuse(mg_connection* conn) {
  Answer(conn, 405, "Method Not Allowed", "text/plain; charset=utf-8",
         "405 method not allowed: use GET or HEAD\n", false,
         "Allow: GET, HEAD\r\n");
  return true;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/request_guard.h"

#include <chrono>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "exporter/http/front_door.h"
#include "exporter/http/handler.h"

namespace nfce {

// The Policy that civetweb's callbacks reach: CivetServer passes itself as
// civetweb's user data and keeps our Policy as its user context.
namespace {

HttpPolicy* PolicyOf(const mg_connection* conn) {
  const auto* server =
      static_cast<const CivetServer*>(mg_get_user_data(mg_get_context(conn)));
  if (server == nullptr) return nullptr;
  return static_cast<HttpPolicy*>(const_cast<void*>(server->getUserContext()));
}

// A plain answer that closes the connection, for requests refused before
// any handler runs.
void RefuseRequest(mg_connection* conn, int code, absl::string_view reason,
                   absl::string_view why) {
  Respond(conn, "", code, reason, "text/plain; charset=utf-8",
          absl::StrCat(code, " ", reason, ": ", why, "\n"), false,
          "Connection: close\r\n");
  if (HttpPolicy* policy = PolicyOf(conn)) {
    policy->requests.Add("none", code);
  }
}

}  // namespace

void EndRequest(const mg_connection* conn, int) {
  FrontDoor::Get().RequestEnded(conn);
}

// Refuses what the exporter never serves, before civetweb handles it: an
// Upgrade (civetweb answers a WebSocket handshake it cannot serve with a
// body and no status line), and any request body: a GET or HEAD needs none,
// and a Transfer-Encoding, or a Content-Length given twice, is read
// differently by proxies and servers (request smuggling; RFC 9112 6.3 wants
// 400).
int BeginRequest(mg_connection* conn) {
  FrontDoor::Get().RequestBegan(conn);
  // civetweb listens before the handlers are added (microseconds later):
  // hold a request that arrives in between, rather than answer 404 for a
  // path the exporter serves. Bounded: 1 s.
  if (HttpPolicy* policy = PolicyOf(conn)) {
    for (int i = 0; i < 1000 && !policy->handlers_ready.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  const mg_request_info* info = mg_get_request_info(conn);
  const char* length = nullptr;
  for (int i = 0; i < info->num_headers; ++i) {
    absl::string_view name = info->http_headers[i].name;
    absl::string_view value = info->http_headers[i].value;
    if (absl::EqualsIgnoreCase(name, "Upgrade")) {
      RefuseRequest(conn, 400, "Bad Request", "upgrades are not served");
      return 400;
    }
    if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      RefuseRequest(conn, 400, "Bad Request", "no request body is read");
      return 400;
    }
    if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      if (length != nullptr || value != "0") {
        RefuseRequest(conn, 400, "Bad Request",
                      length != nullptr ? "Content-Length given twice"
                                        : "no request body is read");
        return 400;
      }
      length = info->http_headers[i].value;
    }
  }
  return 0;
}

// civetweb's own error pages echo a malformed request line into the status
// line ("HTTP/b HTTP/1.1 ... 400"): answer with a clean one instead.
int HttpError(mg_connection* conn, int status, const char*) {
  const char* reason = mg_get_response_code_text(conn, status);
  RefuseRequest(conn, status, reason ? reason : "Error",
                status == 400 ? "malformed request" : "refused");
  return 0;
}

}  // namespace nfce

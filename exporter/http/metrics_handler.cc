// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/metrics_handler.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/http/front_door.h"
#include "exporter/text_format.h"

namespace nfce {

bool MetricsHandler::Serve(mg_connection* conn, bool head_only) {
  // At most max_requests_ scrapes at once; beyond, 503 at once rather than
  // a queue of collections (node_exporter's --web.max-requests).
  struct Slot {
    std::atomic<int>& n;
    explicit Slot(std::atomic<int>& count) : n(count) { ++n; }
    ~Slot() { --n; }
  } slot(scrapes_);
  if (max_requests_ > 0 && scrapes_.load() > max_requests_) {
    Answer(conn, 503, "Service Unavailable", "text/plain; charset=utf-8",
           absl::StrCat("503 too many scrapes at once (--web.max-requests=",
                        max_requests_, ")\n"),
           head_only);
    return true;
  }
  std::vector<prometheus::MetricFamily> families = metrics_.Collect();
  families.push_back(policy().requests.Family());
  for (auto& f : FrontDoor::Get().Families()) families.push_back(std::move(f));
  // Room for as much as last time, and a little: one allocation, where
  // growing the string doubles it five times over, copying as it goes.
  BodyWithHeadroom text(body_size_.load(std::memory_order_relaxed) * 9 / 8);
  AppendText(families, &text.buffer);
  body_size_.store(text.body().size(), std::memory_order_relaxed);
  const char* accept = mg_get_header(conn, "Accept-Encoding");
  if (accept != nullptr && absl::StrContains(accept, "gzip")) {
    // deflateBound() at level 1: the size, 1/4096 more, and some bytes.
    BodyWithHeadroom gz(text.body().size() + text.body().size() / 1024 + 64);
    if (gzip_.Compress(text.body(), &gz.buffer).ok()) {
      Reply(conn, kType, &gz, head_only,
            "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
      return true;
    }
  }
  Reply(conn, kType, &text, head_only, "Vary: Accept-Encoding\r\n");
  return true;
}

}  // namespace nfce

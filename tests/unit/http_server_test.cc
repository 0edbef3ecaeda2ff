// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "collectors/families.h"
#include "exporter/http/front_door.h"
#include "exporter/http/listen_address.h"
#include "exporter/http/metrics_handler.h"
#include "exporter/http/web_config.h"
#include "exporter/text_format.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(CivetListeningPort, ConvertsPrometheusAddresses) {
  // Every address: one dual-stack socket where IPv6 is there, as
  // node_exporter's ":9100"; IPv4's where it is not.
  EXPECT_EQ(*CivetListeningPort(":19372", true), "+19372");
  EXPECT_EQ(*CivetListeningPort("[::]:19372", true), "+19372");
  EXPECT_EQ(*CivetListeningPort(":19372", false), "19372");
  EXPECT_EQ(*CivetListeningPort("[::]:19372", false), "19372");
  EXPECT_EQ(*CivetListeningPort("0.0.0.0:19372", true), "0.0.0.0:19372");
  EXPECT_EQ(*CivetListeningPort("localhost:80", true), "127.0.0.1:80");
  EXPECT_EQ(*CivetListeningPort("[192.0.2.7]:19372", true), "192.0.2.7:19372");
  EXPECT_EQ(*CivetListeningPort("[192.0.2.7]:19372", false), "192.0.2.7:19372");
  EXPECT_EQ(*CivetListeningPort("[::1]:19372", true), "[::1]:19372");
  EXPECT_EQ(*CivetListeningPort("[2001:db8::1]:19372", true),
            "[2001:db8::1]:19372");
}

TEST(CivetListeningPort, OneIPv6AddressNeedsIPv6) {
  absl::StatusOr<std::string> p = CivetListeningPort("[::1]:19372", false);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("IPv6 is not available"),
            absl::string_view::npos)
      << p.status();
}

TEST(CivetListeningPort, RejectsBadAddresses) {
  for (const char* a : {"19372", "host:", "host:port", ":70000", "::1:80",
                        "[::g]:80", "[1.2.3.400]:80"}) {
    EXPECT_FALSE(CivetListeningPort(a, true).ok()) << a;
  }
  auto list = CivetListeningPort(":19372,:19373", false);
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("repeat the flag"),
            absl::string_view::npos)
      << list.status();
}

// The connection that least needs its thread goes: one stuck before its
// first request, then an idle kept-alive one that asked once, idle longest
// first. Busy ones, those already shed, and those that came back for more
// (Prometheus's) never.
TEST(ChooseToShed, SlowFirstThenTheIdleThatAskedLeast) {
  const absl::Time now = absl::FromUnixSeconds(1000);
  auto conn = [&](int fd, int opened_ago, int requests, int idle_for,
                  bool busy = false) {
    DoorConnection c;
    c.fd = fd;
    c.opened = now - absl::Seconds(opened_ago);
    c.requests = requests;
    c.last_answer = now - absl::Seconds(idle_for);
    c.busy = busy;
    return c;
  };
  const absl::Duration grace = absl::Seconds(2);
  std::vector<DoorConnection> open = {
      conn(10, 100, 90, 14),      // Prometheus: many requests, idle 14 s
      conn(11, 30, 1, 29),        // a holder: one request, idle 29 s
      conn(12, 20, 1, 19),        // another, idle 19 s
      conn(13, 1, 0, 0),          // new, its request still coming (1 s)
      conn(14, 50, 3, 60, true),  // busy
  };
  auto choice = ChooseToShed(open, now, grace);
  ASSERT_TRUE(choice.has_value());
  EXPECT_EQ(choice->fd, 11);
  EXPECT_STREQ(choice->reason, "idle");
  open.push_back(conn(15, 5, 0, 0));  // 5 s without its first request
  choice = ChooseToShed(open, now, grace);
  ASSERT_TRUE(choice.has_value());
  EXPECT_EQ(choice->fd, 15);
  EXPECT_STREQ(choice->reason, "slow");
  // Only Prometheus, the newcomer and the busy one: nothing to shed, the
  // newcomer is refused.
  open = {conn(10, 100, 90, 14), conn(13, 1, 0, 0), conn(14, 50, 3, 60, true)};
  EXPECT_FALSE(ChooseToShed(open, now, grace).has_value());
  open.push_back(conn(16, 40, 1, 30));
  open.back().shed = true;  // already on its way out
  EXPECT_FALSE(ChooseToShed(open, now, grace).has_value());
}

// The door finds a connection again from a request: accept()'s address and
// civetweb's text must give the same key, whatever the family.
TEST(PeerKeyOf, AcceptAndRequestInfoAgree) {
  sockaddr_storage v4{};
  auto& in = reinterpret_cast<sockaddr_in&>(v4);
  in.sin_family = AF_INET;
  in.sin_port = htons(40000);
  inet_pton(AF_INET, "192.0.2.1", &in.sin_addr);
  sockaddr_storage mapped{};
  auto& in6 = reinterpret_cast<sockaddr_in6&>(mapped);
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(40000);
  inet_pton(AF_INET6, "::ffff:192.0.2.1", &in6.sin6_addr);
  const auto key = PeerKeyOf(v4, 19372);
  ASSERT_TRUE(key);
  EXPECT_EQ(PeerKeyOf(mapped, 19372), key);
  EXPECT_EQ(PeerKeyOf("192.0.2.1", 40000, 19372), key);
  EXPECT_EQ(PeerKeyOf("::ffff:192.0.2.1", 40000, 19372), key);
  EXPECT_FALSE(PeerKeyOf("192.0.2.1", 40001, 19372) == key);
  EXPECT_FALSE(PeerKeyOf("192.0.2.1", 40000, 19373) == key);
  EXPECT_FALSE(PeerKeyOf("192.0.2.2", 40000, 19372) == key);

  sockaddr_storage link{};
  auto& ll = reinterpret_cast<sockaddr_in6&>(link);
  ll.sin6_family = AF_INET6;
  ll.sin6_port = htons(50000);
  inet_pton(AF_INET6, "fe80::1", &ll.sin6_addr);
  ASSERT_TRUE(PeerKeyOf(link, 19372));
  EXPECT_EQ(PeerKeyOf("fe80::1%eth0", 50000, 19372), PeerKeyOf(link, 19372));

  EXPECT_FALSE(PeerKeyOf("not an address", 1, 2));
  EXPECT_FALSE(PeerKeyOf(std::string(100, '1').c_str(), 1, 2));
  sockaddr_storage unix_peer{};
  unix_peer.ss_family = AF_UNIX;
  EXPECT_FALSE(PeerKeyOf(unix_peer, 19372));
}

TEST(Ipv6Available, OurCivetwebHasIt) {
  EXPECT_NE(mg_check_feature(MG_FEATURES_IPV6), 0u);
}

// A TCP socket bound to a free loopback port, which it returns in `port`.
int BoundLoopbackSocket(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  *port = ntohs(addr.sin_port);
  return fd;
}

TEST(WhyCannotBind, SaysWhenThePortIsTaken) {
  int port = 0;
  int fd = BoundLoopbackSocket(&port);
  ASSERT_EQ(listen(fd, 1), 0);
  const std::string taken = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(WhyCannotBind(taken), "Address already in use");
  close(fd);
  EXPECT_EQ(WhyCannotBind(taken), "");
}

// A Collectable whose Collect() waits until released: a scrape in progress
// for as long as the test wants.
class BlockingMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return released_; });
    return {};
  }
  void WaitEntered(int n) const {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable int entered_ = 0;
  bool released_ = false;
};

// The whole answer to one request over a new connection that the server
// closes after it; "" on failure.
std::string Fetch(int port, const std::string& method, const std::string& path,
                  const std::string& more_headers = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string req = method + " " + path +
                      " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
                      more_headers + "\r\n";
    if (send(fd, req.data(), req.size(), 0) ==
        static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) answer.append(buf, n);
    }
  }
  close(fd);
  return answer;
}

// The status line of a GET over a new connection, or "" on failure.
std::string StatusLine(int port, const std::string& path) {
  std::string answer = Fetch(port, "GET", path);
  return answer.substr(0, answer.find("\r\n"));
}

// Options that listen on a free loopback port (bound, read back, released
// for the server), which `port` is set to.
HttpOptions OnFreePort(int* port) {
  HttpOptions options;
  close(BoundLoopbackSocket(port));
  options.listen_addresses = {"127.0.0.1:" + std::to_string(*port)};
  return options;
}

// A server with only `metrics` at /metrics (and the probes).
absl::StatusOr<std::unique_ptr<HttpServer>> Serve(
    const HttpOptions& options, const WebConfig& web,
    const prometheus::Collectable& metrics) {
  std::vector<std::unique_ptr<ReadOnlyHandler>> handlers;
  handlers.push_back(std::make_unique<MetricsHandler>(
      options.telemetry_path, metrics, options.max_requests));
  return HttpServer::Start(options, web, std::move(handlers));
}

TEST(HttpServer, ScrapesBeyondMaxRequestsGet503AtOnce) {
  int port = 0;
  HttpOptions options = OnFreePort(&port);
  options.max_requests = 1;
  options.max_connections = 8;
  BlockingMetrics metrics;
  auto server = Serve(options, WebConfig{}, metrics);
  ASSERT_TRUE(server.ok()) << server.status();

  std::string first;
  std::thread in_progress([&] { first = StatusLine(port, "/metrics"); });
  metrics.WaitEntered(1);  // one scrape is collecting: the limit is reached
  EXPECT_EQ(StatusLine(port, "/metrics"), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(StatusLine(port, "/-/healthy"), "HTTP/1.1 200 OK");  // not limited
  metrics.Release();
  in_progress.join();
  EXPECT_EQ(first, "HTTP/1.1 200 OK");
  EXPECT_EQ(StatusLine(port, "/metrics"), "HTTP/1.1 200 OK");  // room again
  EXPECT_TRUE((*server)->Drain(absl::Seconds(5)));
}

// A family of `samples` gauges; how many is changed between scrapes.
class GrowingMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    auto f = GaugeFamily("test_sample", "A sample of the test.");
    for (int i = 0; i < samples; ++i) {
      AddSample(&f, i, {{"index", absl::StrCat(i)}});
    }
    return {f};
  }
  std::vector<prometheus::MetricFamily> Expected() const { return Collect(); }
  int samples = 0;
};

// The metrics answer is written from a buffer with room for its head in
// front of the body; a head too long for that room takes the other way.
// Either way the answer must be whole, at any body size, for GET and HEAD.
TEST(HttpServer, MetricsAnswerIsWholeAtAnySizeOfHeadAndBody) {
  for (size_t header_bytes : {size_t{10}, size_t{3000}}) {
    int port = 0;
    HttpOptions options = OnFreePort(&port);
    WebConfig web;
    web.headers.push_back({"X-Test", std::string(header_bytes, 'h')});
    GrowingMetrics metrics;
    auto server = Serve(options, web, metrics);
    ASSERT_TRUE(server.ok()) << server.status();
    // Growing past what the last scrape reserved, and shrinking.
    for (int samples : {0, 5, 3000, 100, 20000, 1}) {
      SCOPED_TRACE(
          absl::StrCat(header_bytes, " header bytes, ", samples, " samples"));
      metrics.samples = samples;
      std::string expected;
      AppendText(metrics.Expected(), &expected);
      for (const std::string method : {"GET", "HEAD"}) {
        std::string answer = Fetch(port, method, "/metrics");
        size_t end = answer.find("\r\n\r\n");
        ASSERT_NE(end, std::string::npos) << answer.substr(0, 200);
        std::string head = answer.substr(0, end + 2);
        std::string body = answer.substr(end + 4);
        EXPECT_EQ(head.substr(0, head.find("\r\n")), "HTTP/1.1 200 OK");
        EXPECT_NE(
            head.find("\r\nX-Test: " + std::string(header_bytes, 'h') + "\r\n"),
            std::string::npos);
        size_t at = head.find("\r\nContent-Length: ");
        ASSERT_NE(at, std::string::npos);
        size_t length = 0;
        at += 18;
        ASSERT_TRUE(absl::SimpleAtoi(
            head.substr(at, head.find("\r\n", at) - at), &length));
        // The server's own request counter follows the test's families.
        EXPECT_GT(length, expected.size());
        if (method == "HEAD") {
          EXPECT_EQ(body, "");
        } else {
          EXPECT_EQ(body.size(), length);
          EXPECT_EQ(body.substr(0, expected.size()), expected);
          EXPECT_NE(
              body.find("\n# TYPE nf_conntrack_exporter_http_requests_total "),
              std::string::npos);
        }
      }
    }
    EXPECT_TRUE((*server)->Drain(absl::Seconds(5)));
  }
}

// The body of an answer (after the blank line), gunzipped; "" if it does
// not unpack.
std::string Gunzip(const std::string& answer) {
  size_t end = answer.find("\r\n\r\n");
  if (end == std::string::npos) return "";
  std::string in = answer.substr(end + 4), out;
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return "";
  zs.next_in = reinterpret_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    char buf[16384];
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END && zs.avail_in == 0 ? out : "";
}

// Deflate streams are kept and reused between scrapes: every answer must
// unpack to the metrics, whatever the one before it held, also with more
// scrapes at once than streams kept.
TEST(HttpServer, GzipAnswersUnpackToTheMetricsScrapeAfterScrape) {
  int port = 0;
  HttpOptions options = OnFreePort(&port);
  GrowingMetrics metrics;
  auto server = Serve(options, WebConfig{}, metrics);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string gzip = "Accept-Encoding: gzip\r\n";
  for (int samples : {0, 5, 3000, 100, 20000, 1}) {
    SCOPED_TRACE(absl::StrCat(samples, " samples"));
    metrics.samples = samples;
    std::string expected;
    AppendText(metrics.Expected(), &expected);
    std::string answer = Fetch(port, "GET", "/metrics", gzip);
    EXPECT_NE(answer.find("\r\nContent-Encoding: gzip\r\n"), std::string::npos);
    std::string body = Gunzip(answer);
    EXPECT_EQ(body.substr(0, expected.size()), expected);
    EXPECT_NE(body.find("\n# TYPE nf_conntrack_exporter_http_requests_total "),
              std::string::npos);
  }
  metrics.samples = 2000;
  std::string expected;
  AppendText(metrics.Expected(), &expected);
  std::atomic<int> whole{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 12; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        std::string body = Gunzip(Fetch(port, "GET", "/metrics", gzip));
        whole += body.compare(0, expected.size(), expected) == 0;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(whole.load(), 120);
  EXPECT_TRUE((*server)->Drain(absl::Seconds(5)));
}

}  // namespace
}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "exporter/flags.h"
#include "exporter/status_page.h"
#include "exporter/web_config.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(CivetListeningPort, ConvertsPrometheusAddresses) {
  EXPECT_EQ(*CivetListeningPort(":19372", false), "19372");
  EXPECT_EQ(*CivetListeningPort("0.0.0.0:19372", false), "0.0.0.0:19372");
  EXPECT_EQ(*CivetListeningPort("localhost:80", false), "127.0.0.1:80");
  EXPECT_EQ(*CivetListeningPort("[::1]:19372", true), "[::1]:19372");
}

TEST(CivetListeningPort, IPv6NeedsCivetwebSupport) {
  absl::StatusOr<std::string> p = CivetListeningPort("[::1]:19372", false);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("no IPv6 support"),
            absl::string_view::npos);
}

TEST(CivetListeningPort, RejectsBadAddresses) {
  for (const char* a : {"19372", "host:", "host:port", ":70000", "::1:80"}) {
    EXPECT_FALSE(CivetListeningPort(a, true).ok()) << a;
  }
  auto list = CivetListeningPort(":19372,:19373", false);
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("one [host]:port only"),
            absl::string_view::npos)
      << list.status();
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

// One GET over a new connection; the status line, or "" on failure.
std::string StatusLine(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string line;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (send(fd, req.data(), req.size(), 0) ==
        static_cast<ssize_t>(req.size())) {
      char buf[256];
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n > 0) line.assign(buf, buf + n);
    }
  }
  close(fd);
  return line.substr(0, line.find("\r\n"));
}

TEST(HttpServer, ScrapesBeyondMaxRequestsGet503AtOnce) {
  Options options;
  options.max_requests = 1;
  options.max_connections = 8;
  // A free port: bound, read back, released for the server.
  int port = 0;
  close(BoundLoopbackSocket(&port));
  options.listen_address = "127.0.0.1:" + std::to_string(port);
  BlockingMetrics metrics;
  History history(4);
  auto server = HttpServer::Start(options, WebConfig{}, metrics, history);
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

}  // namespace
}  // namespace nfce

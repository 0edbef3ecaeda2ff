// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/front_door.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/time/clock.h"

namespace nfce {
namespace {

constexpr const char* kReasons[] = {"silent", "slow", "idle", "full"};

int PortOf(const sockaddr_storage& sa) {
  if (sa.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(sa).sin_port);
  }
  if (sa.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(sa).sin6_port);
  }
  return 0;
}

// ::ffff:a.b.c.d
void MapIpv4(const void* ipv4, std::array<uint8_t, 16>* out) {
  out->fill(0);
  (*out)[10] = (*out)[11] = 0xff;
  std::memcpy(out->data() + 12, ipv4, 4);
}

}  // namespace

std::optional<PeerKey> PeerKeyOf(const sockaddr_storage& peer,
                                 int server_port) {
  PeerKey key;
  if (peer.ss_family == AF_INET) {
    MapIpv4(&reinterpret_cast<const sockaddr_in&>(peer).sin_addr, &key.address);
  } else if (peer.ss_family == AF_INET6) {
    std::memcpy(key.address.data(),
                &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, 16);
  } else {
    return std::nullopt;
  }
  key.port = static_cast<uint16_t>(PortOf(peer));
  key.server_port = static_cast<uint16_t>(server_port);
  return key;
}

std::optional<PeerKey> PeerKeyOf(const char* address, int port,
                                 int server_port) {
  // A link-local peer is written with its zone ("fe80::1%eth0"), which
  // inet_pton() does not take; the address alone is the key.
  char text[INET6_ADDRSTRLEN] = "";
  const size_t n = std::strcspn(address, "%");
  if (n >= sizeof(text)) return std::nullopt;
  std::memcpy(text, address, n);
  PeerKey key;
  in_addr v4;
  if (inet_pton(AF_INET6, text, key.address.data()) != 1) {
    if (inet_pton(AF_INET, text, &v4) != 1) return std::nullopt;
    MapIpv4(&v4, &key.address);
  }
  key.port = static_cast<uint16_t>(port);
  key.server_port = static_cast<uint16_t>(server_port);
  return key;
}

std::optional<ShedChoice> ChooseToShed(const std::vector<DoorConnection>& open,
                                       absl::Time now,
                                       absl::Duration first_request) {
  const DoorConnection* slow = nullptr;
  const DoorConnection* idle = nullptr;
  for (const DoorConnection& c : open) {
    if (c.busy || c.shed) continue;
    if (c.requests == 0) {
      if (now - c.opened >= first_request &&
          (slow == nullptr || c.opened < slow->opened)) {
        slow = &c;
      }
    } else if (c.requests == 1 &&
               (idle == nullptr || c.last_answer < idle->last_answer)) {
      idle = &c;
    }
  }
  if (slow != nullptr) return ShedChoice{slow->fd, "slow"};
  if (idle != nullptr) return ShedChoice{idle->fd, "idle"};
  return std::nullopt;
}

FrontDoor& FrontDoor::Get() {
  static auto* door = new FrontDoor();
  return *door;
}

void FrontDoor::Configure(const FrontDoorLimits& limits) {
  std::lock_guard<std::mutex> lock(mu_);
  limits_ = limits;
}

int FrontDoor::Listen(int fd, int backlog) {
  int seconds;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seconds = static_cast<int>(absl::ToInt64Seconds(limits_.defer));
  }
  // On a TCP socket this cannot fail; were it refused, silent connections
  // would still be closed after the request timeout, as before.
  if (seconds > 0) {
    (void)setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds,
                     sizeof(seconds));
  }
  sockaddr_storage local{};
  socklen_t len = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    listener_port_[fd] = PortOf(local);
  }
  return ::listen(fd, backlog);
}

void FrontDoor::Refuse(int fd, const char* reason, bool answer) {
  ++dropped_[reason];
  if (answer) {
    static constexpr char kBusy[] =
        "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
        "Retry-After: 1\r\nContent-Length: 0\r\n\r\n";
    (void)send(fd, kBusy, sizeof(kBusy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
  } else {
    // Nothing to say: reset at once rather than hold it in FIN_WAIT.
    linger reset{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  }
  ::close(fd);
}

int FrontDoor::Accept(int fd, struct sockaddr* addr, socklen_t* len) {
  sockaddr_storage peer{};
  socklen_t peer_len = sizeof(peer);
  const int conn = ::accept(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len);
  if (conn < 0) return conn;
  if (addr != nullptr && len != nullptr) {
    std::memcpy(addr, &peer, std::min<size_t>(*len, peer_len));
    *len = peer_len;
  }
  const absl::Time now = absl::Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (limits_.defer > absl::ZeroDuration()) {
    // Accepted with nothing to read: it stayed silent for the whole
    // deferral (or closed without a word). civetweb never sees it.
    char byte;
    ssize_t n = recv(conn, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n <= 0) {
      Refuse(conn, "silent", false);
      errno = EAGAIN;  // civetweb goes back to waiting
      return -1;
    }
  }
  size_t shedding = 0;
  for (const auto& [open_fd, c] : open_) shedding += c.shed ? 1 : 0;
  if (open_.size() - shedding >= static_cast<size_t>(limits_.max_open)) {
    std::vector<DoorConnection> all;
    for (const auto& [open_fd, c] : open_) all.push_back(c);
    std::optional<ShedChoice> victim =
        ChooseToShed(all, now, limits_.first_request);
    if (!victim) {
      Refuse(conn, "full", !limits_.tls);
      errno = EAGAIN;
      return -1;
    }
    // Its thread wakes on the shutdown and civetweb closes it (Close()).
    shutdown(victim->fd, SHUT_RDWR);
    open_[victim->fd].shed = true;
    ++dropped_[victim->reason];
  }
  DoorConnection& c = open_[conn];
  c = DoorConnection{};
  c.fd = conn;
  c.opened = now;
  if (std::optional<PeerKey> key = PeerKeyOf(peer, listener_port_[fd])) {
    by_peer_[*key] = conn;
    peer_of_[conn] = *key;
  }
  return conn;
}

int FrontDoor::Close(int fd) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_.erase(fd) > 0) {
      auto key = peer_of_.find(fd);
      if (key != peer_of_.end()) {
        auto peer = by_peer_.find(key->second);
        if (peer != by_peer_.end() && peer->second == fd) by_peer_.erase(peer);
        peer_of_.erase(key);
      }
    }
  }
  return ::close(fd);
}

DoorConnection* FrontDoor::Find(const mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (ri == nullptr) return nullptr;
  std::optional<PeerKey> key =
      PeerKeyOf(ri->remote_addr, ri->remote_port, ri->server_port);
  if (!key) return nullptr;
  auto peer = by_peer_.find(*key);
  if (peer == by_peer_.end()) return nullptr;
  auto c = open_.find(peer->second);
  return c == open_.end() ? nullptr : &c->second;
}

void FrontDoor::RequestBegan(const mg_connection* conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (DoorConnection* c = Find(conn)) c->busy = true;
}

void FrontDoor::RequestEnded(const mg_connection* conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (DoorConnection* c = Find(conn)) {
    c->busy = false;
    ++c->requests;
    c->last_answer = absl::Now();
  }
}

std::vector<prometheus::MetricFamily> FrontDoor::Families() const {
  std::lock_guard<std::mutex> lock(mu_);
  prometheus::MetricFamily open;
  open.name = "nf_conntrack_exporter_http_connections";
  open.help =
      "Connections open to the exporter's HTTP server, each holding one of "
      "its --web.max-connections threads.";
  open.type = prometheus::MetricType::Gauge;
  prometheus::ClientMetric m;
  m.gauge.value = static_cast<double>(open_.size());
  open.metric.push_back(m);
  prometheus::MetricFamily dropped;
  dropped.name = "nf_conntrack_exporter_http_connections_dropped_total";
  dropped.help =
      "Connections the front door closed so that the rest are served: "
      "silent (sent nothing within --web.request-timeout), slow (no complete "
      "first request within 1 s, shed when the threads ran out), idle (an "
      "idle kept-alive connection that had asked once, shed when the threads "
      "ran out), full (refused: nothing could be shed).";
  dropped.type = prometheus::MetricType::Counter;
  for (const char* reason : kReasons) {
    prometheus::ClientMetric d;
    d.label.push_back({"reason", reason});
    auto it = dropped_.find(reason);
    d.counter.value =
        it == dropped_.end() ? 0 : static_cast<double>(it->second);
    dropped.metric.push_back(d);
  }
  return {open, dropped};
}

}  // namespace nfce

// The seams of cmake/civetweb.cmake: civetweb.c's listen(), accept() and
// close() are these.
extern "C" int nfce_front_door_listen(int fd, int backlog) {
  return nfce::FrontDoor::Get().Listen(fd, backlog);
}
extern "C" int nfce_front_door_accept(int fd, struct sockaddr* addr,
                                      socklen_t* len) {
  return nfce::FrontDoor::Get().Accept(fd, addr, len);
}
extern "C" int nfce_front_door_close(int fd) {
  return nfce::FrontDoor::Get().Close(fd);
}

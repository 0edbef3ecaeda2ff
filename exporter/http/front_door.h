// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "prometheus/metric_family.h"

struct mg_connection;

namespace nfce {

// What the front door holds: civetweb gives each open connection a thread
// for as long as it is open, so the door keeps the connections it cannot
// serve from taking them.
struct FrontDoorLimits {
  int max_open = 256;  // connections held at once: civetweb's threads
  // TCP_DEFER_ACCEPT: a connection reaches civetweb only once it has sent
  // something; one still silent after this long is closed at the door.
  absl::Duration defer = absl::Seconds(10);
  // A connection still without its first request after this long (a
  // slowloris, a silent TLS handshake) may be shed to make room.
  absl::Duration first_request = absl::Seconds(1);
  bool tls = false;  // refusals are then closed, not answered with 503
};

// One open connection, as the door sees it.
struct DoorConnection {
  int fd = -1;
  absl::Time opened;
  absl::Time last_answer;  // the end of its last request
  int requests = 0;        // answered
  bool busy = false;       // a request is being served
  bool shed = false;       // shut down to make room; civetweb closes it
};

struct ShedChoice {
  int fd = -1;
  const char* reason = "";  // "slow" (no first request yet) or "idle"
};

// Which connection to shed to make room, or nullopt (the newcomer is then
// refused): first one still without its first request after
// `first_request` (oldest first), then an idle kept-alive one that has
// asked once (idle longest first). A connection that came back for more
// (Prometheus's, scrape after scrape) is never shed: it has shown it is
// used.
std::optional<ShedChoice> ChooseToShed(const std::vector<DoorConnection>& open,
                                       absl::Time now,
                                       absl::Duration first_request);

// A connection as both of civetweb's sides name it: accept()'s peer address
// and the listener's port, and a request's remote_addr (text), remote_port
// and server_port. Addresses as 16 bytes, IPv4 mapped into IPv6, so that
// a key costs no text on the accept() side.
struct PeerKey {
  std::array<uint8_t, 16> address{};
  uint16_t port = 0;
  uint16_t server_port = 0;
  bool operator==(const PeerKey& o) const {
    return address == o.address && port == o.port &&
           server_port == o.server_port;
  }
  template <typename H>
  friend H AbslHashValue(H h, const PeerKey& k) {
    return H::combine(std::move(h), k.address, k.port, k.server_port);
  }
};
// From an accepted peer; nullopt for a family other than IPv4 and IPv6.
std::optional<PeerKey> PeerKeyOf(const sockaddr_storage& peer, int server_port);
// From civetweb's text ("192.0.2.1", "::ffff:192.0.2.1", "fe80::1%eth0").
std::optional<PeerKey> PeerKeyOf(const char* address, int port,
                                 int server_port);

// The process's front door: civetweb's listen(), accept() and close() come
// here (front_door_seam.h), and its connection callbacks report each
// connection's requests. Thread-safe.
class FrontDoor {
 public:
  static FrontDoor& Get();

  void Configure(const FrontDoorLimits& limits);

  // civetweb's calls.
  int Listen(int fd, int backlog);
  int Accept(int fd, struct sockaddr* addr, socklen_t* len);
  int Close(int fd);

  // civetweb's callbacks: a request began, or was answered.
  void RequestBegan(const mg_connection* conn);
  void RequestEnded(const mg_connection* conn);

  // nf_conntrack_exporter_http_connections and
  // nf_conntrack_exporter_http_connections_dropped_total{reason}.
  std::vector<prometheus::MetricFamily> Families() const;

 private:
  FrontDoor() = default;
  DoorConnection* Find(const mg_connection* conn);  // under mu_
  // Closes a connection civetweb never sees, answering 503 where it can.
  void Refuse(int fd, const char* reason, bool answer);  // under mu_

  mutable std::mutex mu_;
  FrontDoorLimits limits_;
  std::map<int, DoorConnection> open_;         // by fd
  std::map<int, int> listener_port_;           // listening fd -> its port
  absl::flat_hash_map<PeerKey, int> by_peer_;  // -> fd
  absl::flat_hash_map<int, PeerKey> peer_of_;  // fd -> its key
  std::map<std::string, uint64_t> dropped_;    // by reason
};

}  // namespace nfce

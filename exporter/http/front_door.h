// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

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
  std::map<int, DoorConnection> open_;       // by fd
  std::map<int, int> listener_port_;         // listening fd -> its port
  std::map<std::string, int> by_peer_;       // "addr port>port" -> fd
  std::map<int, std::string> peer_of_;       // fd -> its key
  std::map<std::string, uint64_t> dropped_;  // by reason
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/listen_address.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace nfce {

bool Ipv6Available() {
  if (mg_check_feature(MG_FEATURES_IPV6) == 0) return false;
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  close(fd);
  return true;
}

std::string WhyCannotBind(absl::string_view civet_port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  absl::string_view port = civet_port;
  bool v6only = true;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  std::string host;
  if (absl::ConsumePrefix(&port, "+")) {
    v6->sin6_family = AF_INET6;  // in6addr_any, dual stack
    v6only = false;
  } else if (absl::StartsWith(port, "[")) {
    size_t end = port.find("]:");
    if (end == absl::string_view::npos) return "";
    host = std::string(port.substr(1, end - 1));
    port = port.substr(end + 2);
    v6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) != 1) return "";
  } else {
    v4->sin_family = AF_INET;
    if (size_t colon = port.rfind(':'); colon != absl::string_view::npos) {
      host = std::string(port.substr(0, colon));
      port = port.substr(colon + 1);
      if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) != 1) return "";
    }
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number)) return "";
  if (addr.ss_family == AF_INET6) {
    v6->sin6_port = htons(static_cast<uint16_t>(port_number));
    len = sizeof(sockaddr_in6);
  } else {
    v4->sin_port = htons(static_cast<uint16_t>(port_number));
    len = sizeof(sockaddr_in);
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::strerror(errno);
  int one = 1, v6only_value = v6only ? 1 : 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (addr.ss_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only_value,
               sizeof(v6only_value));
  }
  std::string why;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    why = std::strerror(errno);
  }
  close(fd);
  return why;
}

absl::StatusOr<std::string> CivetListeningPort(absl::string_view address,
                                               bool ipv6) {
  if (address.find_first_of(", \t") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address,
                     "\": one [host]:port each (repeat the flag for several)"));
  }
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address, "\" needs a port: [host]:port"));
  }
  absl::string_view host = address.substr(0, colon);
  absl::string_view port = address.substr(colon + 1);
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number < 0 ||
      port_number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address, "\" has a bad port"));
  }
  if (host.empty() || host == "[::]") {
    return absl::StrCat(ipv6 ? "+" : "", port);
  }
  if (host == "localhost") return absl::StrCat("127.0.0.1:", port);
  const bool bracketed =
      absl::StartsWith(host, "[") && absl::EndsWith(host, "]");
  if (!bracketed && host.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address, "\": write IPv6 hosts as [addr]:port"));
  }
  if (bracketed) {
    in6_addr parsed;
    in_addr parsed_v4;
    const std::string literal(host.substr(1, host.size() - 2));
    // "[$(NODE_IP)]:port" in a DaemonSet holds either family, as Go's
    // exporters accept it.
    if (inet_pton(AF_INET, literal.c_str(), &parsed_v4) == 1) {
      return absl::StrCat(literal, ":", port);
    }
    if (inet_pton(AF_INET6, literal.c_str(), &parsed) != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", address, "\": not an IP address"));
    }
    if (!ipv6) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", address,
                       "\": IPv6 is not available on this host (booted with "
                       "ipv6.disable=1?); use an IPv4 host or :port"));
    }
  }
  return std::string(address);
}

}  // namespace nfce

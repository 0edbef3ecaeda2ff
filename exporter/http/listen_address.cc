// SPDX-License-Identifier: Apache-2.0
#include "exporter/http/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace nfce {

std::string WhyCannotBind(absl::string_view civet_port) {
  std::string host = "0.0.0.0";
  absl::string_view port = civet_port;
  if (size_t colon = civet_port.rfind(':'); colon != absl::string_view::npos) {
    host = std::string(civet_port.substr(0, colon));
    port = civet_port.substr(colon + 1);
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number)) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_number));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return "";
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  std::string why;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    why = std::strerror(errno);
  }
  close(fd);
  return why;
}

absl::StatusOr<std::string> CivetListeningPort(absl::string_view address,
                                               bool ipv6_supported) {
  if (address.find_first_of(", \t") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen address \"", address,
                     "\": one [host]:port only (no list, no spaces)"));
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
  if (host.empty()) return std::string(port);
  if (host == "localhost") return absl::StrCat("127.0.0.1:", port);
  bool bracketed = absl::StartsWith(host, "[") && absl::EndsWith(host, "]");
  if (!bracketed && host.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address, "\": write IPv6 hosts as [addr]:port"));
  }
  if (bracketed && !ipv6_supported) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address \"", address,
        "\": this build of civetweb has no IPv6 support; use an IPv4 host or "
        ":port"));
  }
  return std::string(address);
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/ifaddr.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"

namespace nfce {

absl::StatusOr<InterfaceAddress> ParseAddressMessage(const nlmsghdr* nlh) {
  const size_t header = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifaddrmsg));
  if (nlh->nlmsg_len < header) {
    return absl::InvalidArgumentError("RTM_NEWADDR shorter than its header");
  }
  const auto* base = reinterpret_cast<const uint8_t*>(nlh);
  ifaddrmsg ifa;
  std::memcpy(&ifa, base + NLMSG_HDRLEN, sizeof(ifa));
  InterfaceAddress out;
  out.family = ifa.ifa_family;
  out.prefix_len = ifa.ifa_prefixlen;
  out.scope = ifa.ifa_scope;
  const size_t size = ifa.ifa_family == AF_INET    ? 4
                      : ifa.ifa_family == AF_INET6 ? 16
                                                   : 0;
  if (size == 0) return absl::InvalidArgumentError("not an IP address");
  std::optional<std::array<uint8_t, 16>> local, address;
  const uint8_t* data = base + header;
  size_t len = nlh->nlmsg_len - header;
  while (len >= sizeof(nlattr)) {
    nlattr a;
    std::memcpy(&a, data, sizeof(a));
    if (a.nla_len < sizeof(nlattr) || a.nla_len > len) {
      return absl::InvalidArgumentError("an attribute runs past RTM_NEWADDR");
    }
    const int type = a.nla_type & NLA_TYPE_MASK;
    if (type == IFA_LOCAL || type == IFA_ADDRESS) {
      if (static_cast<size_t>(a.nla_len) - NLA_HDRLEN < size) {
        return absl::InvalidArgumentError("an address shorter than its family");
      }
      std::array<uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), data + NLA_HDRLEN, size);
      (type == IFA_LOCAL ? local : address) = bytes;
    }
    const size_t step = NLA_ALIGN(a.nla_len);
    if (step >= len) break;
    data += step;
    len -= step;
  }
  if (!local && !address) {
    return absl::InvalidArgumentError("RTM_NEWADDR without an address");
  }
  out.address = local ? *local : *address;
  return out;
}

std::string AddressText(uint8_t family, const std::array<uint8_t, 16>& a,
                        bool prefix64) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (family == AF_INET) {
    inet_ntop(AF_INET, a.data(), buf, sizeof(buf));
    return buf;
  }
  if (family == AF_INET6) {
    if (!prefix64) {
      inet_ntop(AF_INET6, a.data(), buf, sizeof(buf));
      return buf;
    }
    std::array<uint8_t, 16> net{};
    std::memcpy(net.data(), a.data(), 8);
    inet_ntop(AF_INET6, net.data(), buf, sizeof(buf));
    return absl::StrCat(buf, "/64");
  }
  return "other";
}

}  // namespace nfce

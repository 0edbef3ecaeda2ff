// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace nfce {

// An address configured on an interface: one RTM_NEWADDR message, as an
// RTM_GETADDR dump answers.
struct InterfaceAddress {
  uint8_t family = 0;  // AF_INET, AF_INET6
  std::array<uint8_t, 16> address{};
  uint8_t prefix_len = 0;
  uint8_t scope = 0;  // RT_SCOPE_*: universe 0, site 200, link 253, host 254
};

// IFA_LOCAL where the message has one (IPv4: IFA_ADDRESS is the peer of a
// point-to-point link), else IFA_ADDRESS. Fails on a message too short, an
// attribute that runs past it, or an address shorter than its family's.
absl::StatusOr<InterfaceAddress> ParseAddressMessage(const nlmsghdr* nlh);

// "192.0.2.1", "2001:db8::1"; with `prefix64`, an IPv6 address's /64
// ("2001:db8:1:2::/64").
std::string AddressText(uint8_t family, const std::array<uint8_t, 16>& address,
                        bool prefix64 = false);

}  // namespace nfce

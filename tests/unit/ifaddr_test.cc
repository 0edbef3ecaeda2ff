// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/ifaddr.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace nfce {
namespace {

// An RTM_NEWADDR message with the given attributes (type, payload).
std::vector<uint8_t> Message(
    uint8_t family, uint8_t scope,
    const std::vector<std::pair<uint16_t, std::vector<uint8_t>>>& attrs) {
  std::vector<uint8_t> body(sizeof(ifaddrmsg));
  ifaddrmsg ifa{};
  ifa.ifa_family = family;
  ifa.ifa_prefixlen = family == AF_INET ? 24 : 64;
  ifa.ifa_scope = scope;
  std::memcpy(body.data(), &ifa, sizeof(ifa));
  for (const auto& [type, payload] : attrs) {
    nlattr a{static_cast<uint16_t>(NLA_HDRLEN + payload.size()), type};
    const size_t at = body.size();
    body.resize(at + NLA_ALIGN(a.nla_len));
    std::memcpy(body.data() + at, &a, sizeof(a));
    std::memcpy(body.data() + at + NLA_HDRLEN, payload.data(), payload.size());
  }
  std::vector<uint8_t> msg(NLMSG_HDRLEN + body.size());
  nlmsghdr h{static_cast<uint32_t>(msg.size()), RTM_NEWADDR, 0, 1, 0};
  std::memcpy(msg.data(), &h, sizeof(h));
  std::memcpy(msg.data() + NLMSG_HDRLEN, body.data(), body.size());
  return msg;
}

const nlmsghdr* Header(const std::vector<uint8_t>& m) {
  return reinterpret_cast<const nlmsghdr*>(m.data());
}

TEST(ParseAddressMessage, LocalBeforeThePeerOfAPointToPointLink) {
  auto m = Message(AF_INET, RT_SCOPE_UNIVERSE,
                   {{IFA_ADDRESS, {10, 0, 0, 2}}, {IFA_LOCAL, {10, 0, 0, 1}}});
  auto a = ParseAddressMessage(Header(m));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(AddressText(a->family, a->address), "10.0.0.1");
  EXPECT_EQ(a->prefix_len, 24);
  EXPECT_EQ(a->scope, RT_SCOPE_UNIVERSE);
}

TEST(ParseAddressMessage, IPv6AndItsSlash64) {
  auto m = Message(
      AF_INET6, RT_SCOPE_UNIVERSE,
      {{IFA_ADDRESS,
        {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x11}}});
  auto a = ParseAddressMessage(Header(m));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(AddressText(a->family, a->address), "2001:db8:1:2::11");
  EXPECT_EQ(AddressText(a->family, a->address, true), "2001:db8:1:2::/64");
}

TEST(ParseAddressMessage, RefusesWhatIsNotAnAddress) {
  // Shorter than its family's address.
  auto short_v4 = Message(AF_INET, 0, {{IFA_ADDRESS, {10, 0, 0}}});
  EXPECT_FALSE(ParseAddressMessage(Header(short_v4)).ok());
  // No address at all.
  auto none = Message(AF_INET, 0, {{IFA_LABEL, {'l', 'o', 0, 0}}});
  EXPECT_FALSE(ParseAddressMessage(Header(none)).ok());
  // Another family.
  auto other = Message(AF_PACKET, 0, {{IFA_ADDRESS, {1, 2, 3, 4}}});
  EXPECT_FALSE(ParseAddressMessage(Header(other)).ok());
  // An attribute that runs past the message.
  auto cut = Message(AF_INET, 0, {{IFA_ADDRESS, {10, 0, 0, 1}}});
  nlmsghdr h;
  std::memcpy(&h, cut.data(), sizeof(h));
  h.nlmsg_len -= 2;
  std::memcpy(cut.data(), &h, sizeof(h));
  EXPECT_FALSE(ParseAddressMessage(Header(cut)).ok());
  // Shorter than its header.
  auto tiny = Message(AF_INET, 0, {});
  std::memcpy(&h, tiny.data(), sizeof(h));
  h.nlmsg_len = NLMSG_HDRLEN + 2;
  std::memcpy(tiny.data(), &h, sizeof(h));
  EXPECT_FALSE(ParseAddressMessage(Header(tiny)).ok());
}

}  // namespace
}  // namespace nfce

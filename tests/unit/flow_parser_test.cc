// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/flow_parser.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>

#include <cstring>
#include <optional>
#include <vector>

#include "collectors/makeup/table_makeup.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

// Builds a ctnetlink conntrack message the way the kernel lays it out.
class Message {
 public:
  Message(uint8_t family, std::optional<uint8_t> protocol) : buf_(4096) {
    nlh_ = mnl_nlmsg_put_header(buf_.data());
    nlh_->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
    auto* nfg = static_cast<nfgenmsg*>(
        mnl_nlmsg_put_extra_header(nlh_, sizeof(nfgenmsg)));
    nfg->nfgen_family = family;
    nlattr* orig = mnl_attr_nest_start(nlh_, CTA_TUPLE_ORIG);
    if (protocol) {
      nlattr* proto = mnl_attr_nest_start(nlh_, CTA_TUPLE_PROTO);
      mnl_attr_put_u8(nlh_, CTA_PROTO_NUM, *protocol);
      mnl_attr_nest_end(nlh_, proto);
    }
    mnl_attr_nest_end(nlh_, orig);
  }
  Message& Status(uint32_t bits) {
    mnl_attr_put_u32(nlh_, CTA_STATUS, htonl(bits));
    return *this;
  }
  Message& Zone(uint16_t zone) {
    mnl_attr_put_u16(nlh_, CTA_ZONE, htons(zone));
    return *this;
  }
  Message& TcpState(uint8_t state) {
    nlattr* info = mnl_attr_nest_start(nlh_, CTA_PROTOINFO);
    nlattr* tcp = mnl_attr_nest_start(nlh_, CTA_PROTOINFO_TCP);
    mnl_attr_put_u8(nlh_, CTA_PROTOINFO_TCP_STATE, state);
    mnl_attr_nest_end(nlh_, tcp);
    mnl_attr_nest_end(nlh_, info);
    return *this;
  }
  const nlmsghdr* get() const { return nlh_; }

 private:
  std::vector<char> buf_;
  nlmsghdr* nlh_;
};

TEST(ParseConntrackMessage, TcpEntryWithStateAndZone) {
  Message m(AF_INET6, IPPROTO_TCP);
  m.Status(IPS_CONFIRMED | IPS_ASSURED | IPS_SEEN_REPLY)
      .Zone(7)
      .TcpState(TCP_CONNTRACK_TIME_WAIT);
  absl::StatusOr<FlowKey> k = ParseConntrackMessage(m.get());
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(FamilyLabel(k->family), "ipv6");
  EXPECT_EQ(ProtocolLabel(k->protocol), "tcp");
  EXPECT_EQ(StateLabel(*k), "time_wait");
  EXPECT_EQ(k->zone, 7);
}

TEST(ParseConntrackMessage, NonTcpStateComesFromStatusBits) {
  Message unreplied(AF_INET, IPPROTO_UDP);
  unreplied.Status(IPS_CONFIRMED);
  Message replied(AF_INET, IPPROTO_UDP);
  replied.Status(IPS_CONFIRMED | IPS_SEEN_REPLY);
  Message assured(AF_INET, IPPROTO_ICMP);
  assured.Status(IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED);
  EXPECT_EQ(StateLabel(*ParseConntrackMessage(unreplied.get())), "unreplied");
  EXPECT_EQ(StateLabel(*ParseConntrackMessage(replied.get())), "replied");
  EXPECT_EQ(StateLabel(*ParseConntrackMessage(assured.get())), "assured");
  EXPECT_EQ(ParseConntrackMessage(unreplied.get())->zone, 0);
}

TEST(ParseConntrackMessage, RejectsMessagesWithoutAProtocol) {
  Message m(AF_INET, std::nullopt);
  absl::StatusOr<FlowKey> k = ParseConntrackMessage(m.get());
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("protocol"), absl::string_view::npos);
}

TEST(ParseConntrackMessage, RejectsATruncatedMessage) {
  Message m(AF_INET, IPPROTO_TCP);
  std::vector<char> copy(reinterpret_cast<const char*>(m.get()),
                         reinterpret_cast<const char*>(m.get()) + 64);
  auto* nlh = reinterpret_cast<nlmsghdr*>(copy.data());
  nlh->nlmsg_len = sizeof(nlmsghdr) + 2;  // shorter than nfgenmsg
  EXPECT_FALSE(ParseConntrackMessage(nlh).ok());
}

FlowKey Entry(uint8_t family, uint8_t protocol,
              std::optional<uint8_t> tcp_state, uint32_t status) {
  FlowKey k;
  k.family = family;
  k.protocol = protocol;
  k.tcp_state = tcp_state;
  k.status = status;
  return k;
}

// A dump answer with the original tuple's addresses and ports and a
// remaining timeout, laid out as the kernel sends them.
std::vector<char> FullMessage(uint8_t family, const void* src, const void* dst,
                              size_t len, uint8_t protocol,
                              std::optional<uint16_t> dport, uint32_t timeout) {
  std::vector<char> buf(4096);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
  auto* nfg =
      static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  nfg->nfgen_family = family;
  nlattr* orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
  nlattr* ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
  const bool v4 = family == AF_INET;
  mnl_attr_put(nlh, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, len, src);
  mnl_attr_put(nlh, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, len, dst);
  mnl_attr_nest_end(nlh, ip);
  nlattr* proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
  mnl_attr_put_u8(nlh, CTA_PROTO_NUM, protocol);
  if (dport) {
    mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(40000));
    mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(*dport));
  }
  mnl_attr_nest_end(nlh, proto);
  mnl_attr_nest_end(nlh, orig);
  mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(timeout));
  buf.resize(nlh->nlmsg_len);
  return buf;
}

TEST(ParseConntrackMessage, AddressesPortAndTimeout) {
  in_addr s4{}, d4{};
  inet_pton(AF_INET, "192.0.2.1", &s4);
  inet_pton(AF_INET, "198.51.100.53", &d4);
  auto msg = FullMessage(AF_INET, &s4, &d4, 4, IPPROTO_UDP, 53, 29);
  auto key = ParseConntrackMessage(reinterpret_cast<nlmsghdr*>(msg.data()));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(std::memcmp(key->source.data(), &s4, 4), 0);
  EXPECT_EQ(std::memcmp(key->destination.data(), &d4, 4), 0);
  EXPECT_EQ(key->destination_port, std::optional<uint16_t>(53));
  EXPECT_EQ(key->timeout, std::optional<uint32_t>(29));

  in6_addr s6{}, d6{};
  inet_pton(AF_INET6, "2001:db8:1:2::7", &s6);
  inet_pton(AF_INET6, "2001:db8::1", &d6);
  msg = FullMessage(AF_INET6, &s6, &d6, 16, IPPROTO_ICMPV6, std::nullopt, 30);
  key = ParseConntrackMessage(reinterpret_cast<nlmsghdr*>(msg.data()));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(std::memcmp(key->source.data(), &s6, 16), 0);
  EXPECT_FALSE(key->destination_port.has_value());

  // An IPv4 address attribute of 2 bytes is malformed, not read past.
  msg = FullMessage(AF_INET, &s4, &d4, 2, IPPROTO_UDP, 53, 29);
  EXPECT_FALSE(
      ParseConntrackMessage(reinterpret_cast<nlmsghdr*>(msg.data())).ok());
}

// What the kernel never sends, and libnetfilter_conntrack would read
// otherwise than we do (tests/reference compares the two), is refused.
TEST(ParseConntrackMessage, RefusesWhatTheKernelNeverSends) {
  in6_addr s6{}, d6{};
  inet_pton(AF_INET6, "2001:db8::7", &s6);
  inet_pton(AF_INET6, "2001:db8::1", &d6);
  auto msg = FullMessage(AF_INET6, &s6, &d6, 16, IPPROTO_TCP, 443, 30);
  auto* nlh = reinterpret_cast<nlmsghdr*>(msg.data());
  auto key = ParseConntrackMessage(nlh);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->source_port, std::optional<uint16_t>(40000));
  EXPECT_EQ(key->destination_port, std::optional<uint16_t>(443));
  // The same IPv6 addresses under an IPv4 header.
  reinterpret_cast<nfgenmsg*>(msg.data() + NLMSG_HDRLEN)->nfgen_family =
      AF_INET;
  EXPECT_FALSE(ParseConntrackMessage(nlh).ok());

  Message repeated(AF_INET, IPPROTO_UDP);
  repeated.Status(IPS_CONFIRMED).Status(IPS_CONFIRMED | IPS_SEEN_REPLY);
  EXPECT_FALSE(ParseConntrackMessage(repeated.get()).ok());
}

TEST(ParseConntrackMessage, RefusesPortsMixedWithIcmpFields) {
  std::vector<char> buf(4096);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  auto* nfg =
      static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
  nfg->nfgen_family = AF_INET;
  nlattr* orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
  nlattr* proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
  mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
  mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(3000));
  // The library stores an ICMP id where it keeps the source port.
  mnl_attr_put_u16(nlh, CTA_PROTO_ICMPV6_ID, htons(176));
  mnl_attr_nest_end(nlh, proto);
  mnl_attr_nest_end(nlh, orig);
  EXPECT_FALSE(ParseConntrackMessage(nlh).ok());
}

TEST(Labels, ComeFromFixedSets) {
  EXPECT_EQ(FamilyLabel(99), "other");
  EXPECT_EQ(ProtocolLabel(IPPROTO_SCTP), "sctp");
  EXPECT_EQ(ProtocolLabel(IPPROTO_GRE), "gre");
  EXPECT_EQ(ProtocolLabel(IPPROTO_ICMPV6), "icmpv6");
  EXPECT_EQ(ProtocolLabel(IPPROTO_UDPLITE), "other");
  FlowKey odd = Entry(AF_INET, IPPROTO_TCP, uint8_t{200}, 0);
  EXPECT_EQ(StateLabel(odd), "other");
}

TEST(FlowAggregator, CountsByLabelsAndCapsZones) {
  FlowAggregator agg(/*max_zones=*/2);
  FlowKey k = Entry(AF_INET, IPPROTO_UDP, std::nullopt, IPS_CONFIRMED);
  // Zone 0, the default, never counts against the cap.
  for (uint16_t zone : {0, 0, 5, 9, 9, 5, 11, 12}) {
    k.zone = zone;
    agg.Add(k);
  }
  EXPECT_EQ(agg.total(), 8u);
  using Key = FlowAggregator::Key;
  auto counts = agg.Counts();
  EXPECT_EQ(counts.at(Key{"ipv4", "udp", "unreplied", 0}), 2u);
  EXPECT_EQ(counts.at(Key{"ipv4", "udp", "unreplied", 5}), 2u);
  EXPECT_EQ(counts.at(Key{"ipv4", "udp", "unreplied", 9}), 2u);
  EXPECT_EQ(counts.at(Key{"ipv4", "udp", "unreplied", -1}), 2u);
  EXPECT_EQ(counts.size(), 4u);
}

TEST(FlowAggregator, MergesProtocolsWithoutALabelIntoOther) {
  FlowAggregator agg(16);
  agg.Add(Entry(AF_INET, IPPROTO_UDPLITE, std::nullopt, 0));
  agg.Add(Entry(AF_INET, IPPROTO_DCCP, std::nullopt, 0));
  auto counts = agg.Counts();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts.begin()->second, 2u);
  EXPECT_EQ(std::get<1>(counts.begin()->first), "other");
}

}  // namespace
}  // namespace nfce

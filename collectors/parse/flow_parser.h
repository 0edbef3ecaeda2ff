// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

// What the flow and event collectors need to know of one conntrack entry.
struct FlowKey {
  uint8_t family = 0;                // AF_INET, AF_INET6
  uint8_t protocol = 0;              // IPPROTO_*
  std::optional<uint8_t> tcp_state;  // TCP_CONNTRACK_*, TCP entries only
  uint32_t status = 0;               // IPS_* bits
  uint16_t zone = 0;
  // Original direction, network byte order; IPv4 in the first 4 bytes.
  std::array<uint8_t, 16> source{};
  std::array<uint8_t, 16> destination{};
  std::optional<uint16_t> source_port;       // host order; ported protocols
  std::optional<uint16_t> destination_port;  // host order; ported protocols
  // Reply direction (every dump answer has one): its destination is where
  // replies go, i.e. the original source after source NAT (IPS_SRC_NAT), the
  // original source itself otherwise.
  bool has_reply = false;
  std::array<uint8_t, 16> reply_destination{};
  std::optional<uint16_t> reply_destination_port;
  std::optional<uint32_t> timeout;  // CTA_TIMEOUT: seconds left, if sent
};

// Reads a ctnetlink conntrack message (a dump answer or an event): family,
// layer-4 protocol, original addresses and ports, the reply destination and
// its port, TCP state, status, zone and remaining timeout. Fails on a message
// too short, whose attributes do not parse, that repeats an attribute it reads,
// or whose address does not fit its family: the kernel sends none of those, and
// refusing them keeps every message we accept decoded as libnetfilter_conntrack
// decodes it (tests/reference/).
absl::StatusOr<FlowKey> ParseConntrackMessage(const nlmsghdr* nlh);

// Label values, each from a fixed set so cardinality stays bounded.
absl::string_view FamilyLabel(uint8_t family);  // ipv4 ipv6 other
absl::string_view ProtocolLabel(
    uint8_t protocol);  // tcp udp icmp icmpv6 sctp gre other
// The TCP state for TCP; for others unreplied, replied or assured.
absl::string_view StateLabel(const FlowKey& key);
// The same as a small number (for aggregation) and back.
uint8_t StateIndex(const FlowKey& key);
absl::string_view StateName(uint8_t index);

}  // namespace nfce

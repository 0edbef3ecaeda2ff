// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/flow_parser.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace nfce {
namespace {

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed ctnetlink message: ", what));
}

// Walks the attributes in [data, data + len) and calls visit(type, payload,
// payload_len) for each; false if an attribute runs past the end. A
// hand-written walk: a full table dump parses hundreds of thousands of
// messages, and this is several times cheaper than libmnl's callbacks.
template <typename Visit>
bool ForEachAttribute(const uint8_t* data, size_t len, Visit visit) {
  while (len >= sizeof(nlattr)) {
    nlattr a;
    std::memcpy(&a, data, sizeof(a));
    if (a.nla_len < sizeof(nlattr) || a.nla_len > len) return false;
    visit(a.nla_type & NLA_TYPE_MASK, data + NLA_HDRLEN,
          static_cast<size_t>(a.nla_len) - NLA_HDRLEN);
    size_t step = NLA_ALIGN(a.nla_len);
    if (step >= len) break;
    data += step;
    len -= step;
  }
  return true;
}

// The only attribute `type` directly inside [data, data + len); nullopt if
// absent, *bad if repeated.
std::optional<std::pair<const uint8_t*, size_t>> FindOnce(const uint8_t* data,
                                                          size_t len, int type,
                                                          bool* bad) {
  std::optional<std::pair<const uint8_t*, size_t>> found;
  ForEachAttribute(data, len, [&](int t, const uint8_t* p, size_t n) {
    if (t != type) return;
    if (found) *bad = true;
    found.emplace(p, n);
  });
  return found;
}

// Copies an address attribute of `size` bytes; false if it is shorter.
bool CopyAddress(const uint8_t* p, size_t n, size_t size,
                 std::array<uint8_t, 16>* out) {
  if (n < size) return false;
  std::memcpy(out->data(), p, size);
  return true;
}

// False the second time an attribute type (0..31) is seen in one nest.
bool FirstTime(int type, uint32_t* seen) {
  const uint32_t bit = uint32_t{1} << type;
  if (*seen & bit) return false;
  *seen |= bit;
  return true;
}

// One direction's tuple, as CTA_TUPLE_ORIG and CTA_TUPLE_REPLY hold it.
struct Tuple {
  std::array<uint8_t, 16>* source;
  std::array<uint8_t, 16>* destination;
  std::optional<uint16_t>* source_port;
  std::optional<uint16_t>* destination_port;
  uint8_t* protocol;  // null: not kept (the reply's repeats the original's)
};

// A tuple: CTA_TUPLE_IP (addresses of the message's family) and
// CTA_TUPLE_PROTO (protocol number and, for ported protocols, the ports).
void ParseTuple(const uint8_t* data, size_t len, bool v4, const Tuple& out,
                bool* have_protocol, bool* bad) {
  uint32_t seen = 0;
  ForEachAttribute(data, len, [&](int type, const uint8_t* p, size_t n) {
    if (type != CTA_TUPLE_IP && type != CTA_TUPLE_PROTO) return;
    if (!FirstTime(type, &seen)) *bad = true;
    uint32_t inner = 0;
    if (type == CTA_TUPLE_IP) {
      ForEachAttribute(p, n, [&](int t, const uint8_t* a, size_t an) {
        if (t < CTA_IP_V4_SRC || t > CTA_IP_V6_DST) return;
        const bool v4_attribute = t == CTA_IP_V4_SRC || t == CTA_IP_V4_DST;
        if (!FirstTime(t, &inner) || v4_attribute != v4) {
          *bad = true;
          return;
        }
        const bool source = t == CTA_IP_V4_SRC || t == CTA_IP_V6_SRC;
        if (!CopyAddress(a, an, v4 ? 4 : 16,
                         source ? out.source : out.destination)) {
          *bad = true;
        }
      });
    } else {
      ForEachAttribute(p, n, [&](int t, const uint8_t* a, size_t an) {
        if (t < CTA_PROTO_NUM || t > CTA_PROTO_ICMPV6_CODE) return;
        if (!FirstTime(t, &inner)) *bad = true;
        if (t > CTA_PROTO_DST_PORT) return;  // ICMP id, type, code
        if (an < (t == CTA_PROTO_NUM ? 1u : 2u)) {
          *bad = true;
          return;
        }
        if (t == CTA_PROTO_NUM) {
          if (out.protocol != nullptr) {
            *out.protocol = a[0];
            *have_protocol = true;
          }
          return;
        }
        uint16_t port;
        std::memcpy(&port, a, 2);
        *(t == CTA_PROTO_SRC_PORT ? out.source_port : out.destination_port) =
            ntohs(port);
      });
      // Ports and ICMP fields share storage in libnetfilter_conntrack (and
      // in the kernel's tuple): a message with both is not one the kernel
      // sends, and would be read differently by the two.
      const uint32_t ports =
          (1u << CTA_PROTO_SRC_PORT) | (1u << CTA_PROTO_DST_PORT);
      if ((inner & ports) && (inner & ~ports & ~(1u << CTA_PROTO_NUM))) {
        *bad = true;
      }
    }
  });
}

}  // namespace

absl::StatusOr<FlowKey> ParseConntrackMessage(const nlmsghdr* nlh) {
  const size_t header = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  if (nlh->nlmsg_len < header) return Malformed("shorter than its header");
  const auto* base = reinterpret_cast<const uint8_t*>(nlh);
  FlowKey key;
  key.family =
      reinterpret_cast<const nfgenmsg*>(base + NLMSG_HDRLEN)->nfgen_family;

  bool have_protocol = false;
  bool bad = false;
  uint32_t seen = 0;
  bool ok = ForEachAttribute(
      base + header, nlh->nlmsg_len - header,
      [&](int type, const uint8_t* p, size_t n) {
        // The kernel sends each top-level attribute at most once.
        if (type < 32 && !FirstTime(type, &seen)) bad = true;
        switch (type) {
          case CTA_TUPLE_ORIG:
            ParseTuple(p, n, key.family == AF_INET,
                       {&key.source, &key.destination, &key.source_port,
                        &key.destination_port, &key.protocol},
                       &have_protocol, &bad);
            break;
          case CTA_TUPLE_REPLY: {
            // The reply's source is the original destination after
            // destination NAT: not kept.
            std::array<uint8_t, 16> reply_source{};
            std::optional<uint16_t> reply_source_port;
            key.has_reply = true;
            ParseTuple(
                p, n, key.family == AF_INET,
                {&reply_source, &key.reply_destination, &reply_source_port,
                 &key.reply_destination_port, nullptr},
                &have_protocol, &bad);
            break;
          }
          case CTA_TIMEOUT:
            if (n < 4) {
              bad = true;
              break;
            }
            uint32_t timeout;
            std::memcpy(&timeout, p, 4);
            key.timeout = ntohl(timeout);
            break;
          case CTA_STATUS:
            if (n < 4) {
              bad = true;
              break;
            }
            uint32_t status;
            std::memcpy(&status, p, 4);
            key.status = ntohl(status);
            break;
          case CTA_ZONE:
            if (n < 2) {
              bad = true;
              break;
            }
            uint16_t zone;
            std::memcpy(&zone, p, 2);
            key.zone = ntohs(zone);
            break;
          case CTA_PROTOINFO:
            if (auto tcp = FindOnce(p, n, CTA_PROTOINFO_TCP, &bad)) {
              if (auto state = FindOnce(tcp->first, tcp->second,
                                        CTA_PROTOINFO_TCP_STATE, &bad);
                  state && state->second >= 1) {
                key.tcp_state = state->first[0];
              }
            }
            break;
        }
      });
  if (!ok) return Malformed("an attribute runs past the message");
  if (bad)
    return Malformed(
        "an attribute repeated, too short, or an address of another family");
  if (!have_protocol) {
    return Malformed("no layer-4 protocol in the original tuple");
  }
  if (key.protocol != IPPROTO_TCP) key.tcp_state.reset();
  return key;
}

absl::string_view FamilyLabel(uint8_t family) {
  switch (family) {
    case AF_INET:
      return "ipv4";
    case AF_INET6:
      return "ipv6";
    default:
      return "other";
  }
}

absl::string_view ProtocolLabel(uint8_t protocol) {
  switch (protocol) {
    case IPPROTO_TCP:
      return "tcp";
    case IPPROTO_UDP:
      return "udp";
    case IPPROTO_ICMP:
      return "icmp";
    case IPPROTO_ICMPV6:
      return "icmpv6";
    case IPPROTO_SCTP:
      return "sctp";
    case IPPROTO_GRE:
      return "gre";
    default:
      return "other";
  }
}

namespace {

// TCP_CONNTRACK_* in order, then the states of other protocols.
constexpr absl::string_view kStates[] = {
    "none",       "syn_sent",  "syn_recv",  "established", "fin_wait",
    "close_wait", "last_ack",  "time_wait", "close",       "syn_sent2",
    "other",      "unreplied", "replied",   "assured"};
constexpr uint8_t kTcpOther = 10;

}  // namespace

uint8_t StateIndex(const FlowKey& key) {
  if (key.protocol == IPPROTO_TCP && key.tcp_state) {
    return *key.tcp_state <= TCP_CONNTRACK_SYN_SENT2 ? *key.tcp_state
                                                     : kTcpOther;
  }
  if (key.status & IPS_ASSURED) return kTcpOther + 3;
  if (key.status & IPS_SEEN_REPLY) return kTcpOther + 2;
  return kTcpOther + 1;
}

absl::string_view StateName(uint8_t index) {
  return index < std::size(kStates) ? kStates[index] : "other";
}

absl::string_view StateLabel(const FlowKey& key) {
  return StateName(StateIndex(key));
}

}  // namespace nfce

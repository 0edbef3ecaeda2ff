// SPDX-License-Identifier: Apache-2.0
#include "collectors/flow_parser.h"

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

// The attribute `type` directly inside [data, data + len), if present.
std::optional<std::pair<const uint8_t*, size_t>> Find(const uint8_t* data,
                                                      size_t len, int type) {
  std::optional<std::pair<const uint8_t*, size_t>> found;
  ForEachAttribute(data, len, [&](int t, const uint8_t* p, size_t n) {
    if (t == type && !found) found.emplace(p, n);
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

// CTA_TUPLE_ORIG: CTA_TUPLE_IP (addresses) and CTA_TUPLE_PROTO (protocol
// number and, for ported protocols, the destination port).
void ParseOriginalTuple(const uint8_t* data, size_t len, FlowKey* key,
                        bool* have_protocol, bool* bad) {
  ForEachAttribute(data, len, [&](int type, const uint8_t* p, size_t n) {
    if (type == CTA_TUPLE_IP) {
      ForEachAttribute(p, n, [&](int t, const uint8_t* a, size_t an) {
        bool ok = true;
        switch (t) {
          case CTA_IP_V4_SRC:
            ok = CopyAddress(a, an, 4, &key->source);
            break;
          case CTA_IP_V4_DST:
            ok = CopyAddress(a, an, 4, &key->destination);
            break;
          case CTA_IP_V6_SRC:
            ok = CopyAddress(a, an, 16, &key->source);
            break;
          case CTA_IP_V6_DST:
            ok = CopyAddress(a, an, 16, &key->destination);
            break;
        }
        if (!ok) *bad = true;
      });
    } else if (type == CTA_TUPLE_PROTO) {
      ForEachAttribute(p, n, [&](int t, const uint8_t* a, size_t an) {
        if (t == CTA_PROTO_NUM && an >= 1) {
          key->protocol = a[0];
          *have_protocol = true;
        } else if (t == CTA_PROTO_DST_PORT) {
          if (an < 2) {
            *bad = true;
            return;
          }
          uint16_t port;
          std::memcpy(&port, a, 2);
          key->destination_port = ntohs(port);
        }
      });
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
  bool ok = ForEachAttribute(
      base + header, nlh->nlmsg_len - header,
      [&](int type, const uint8_t* p, size_t n) {
        switch (type) {
          case CTA_TUPLE_ORIG:
            ParseOriginalTuple(p, n, &key, &have_protocol, &bad);
            break;
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
            if (auto tcp = Find(p, n, CTA_PROTOINFO_TCP)) {
              if (auto state =
                      Find(tcp->first, tcp->second, CTA_PROTOINFO_TCP_STATE);
                  state && state->second >= 1) {
                key.tcp_state = state->first[0];
              }
            }
            break;
        }
      });
  if (!ok) return Malformed("an attribute runs past the message");
  if (bad)
    return Malformed("an address, port, status, zone or timeout too short");
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

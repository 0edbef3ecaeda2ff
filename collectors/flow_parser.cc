#include "collectors/flow_parser.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace nfce {
namespace {

template <size_t N>
int CollectAttribute(const nlattr* attr, void* data) {
  auto* table = static_cast<std::array<const nlattr*, N>*>(data);
  int type = mnl_attr_get_type(attr);
  if (type >= 0 && static_cast<size_t>(type) < N) (*table)[type] = attr;
  return MNL_CB_OK;
}

template <size_t N>
bool ParseNested(const nlattr* nest, std::array<const nlattr*, N>* table) {
  return mnl_attr_parse_nested(nest, CollectAttribute<N>, table) >= 0;
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("malformed ctnetlink message: ", what));
}

}  // namespace

absl::StatusOr<FlowKey> ParseConntrackMessage(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nfgenmsg))) {
    return Malformed("shorter than its header");
  }
  FlowKey key;
  key.family =
      static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh))->nfgen_family;

  std::array<const nlattr*, CTA_MAX + 1> top{};
  if (mnl_attr_parse(nlh, sizeof(nfgenmsg), CollectAttribute<CTA_MAX + 1>,
                     &top) < 0) {
    return Malformed("attributes do not parse");
  }
  if (top[CTA_TUPLE_ORIG] == nullptr) return Malformed("no original tuple");
  std::array<const nlattr*, CTA_TUPLE_MAX + 1> tuple{};
  std::array<const nlattr*, CTA_PROTO_MAX + 1> proto{};
  if (!ParseNested(top[CTA_TUPLE_ORIG], &tuple) ||
      tuple[CTA_TUPLE_PROTO] == nullptr ||
      !ParseNested(tuple[CTA_TUPLE_PROTO], &proto) ||
      proto[CTA_PROTO_NUM] == nullptr ||
      mnl_attr_validate(proto[CTA_PROTO_NUM], MNL_TYPE_U8) < 0) {
    return Malformed("no layer-4 protocol in the original tuple");
  }
  key.protocol = mnl_attr_get_u8(proto[CTA_PROTO_NUM]);

  if (const nlattr* a = top[CTA_STATUS]) {
    if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) return Malformed("status");
    key.status = ntohl(mnl_attr_get_u32(a));
  }
  if (const nlattr* a = top[CTA_ZONE]) {
    if (mnl_attr_validate(a, MNL_TYPE_U16) < 0) return Malformed("zone");
    key.zone = ntohs(mnl_attr_get_u16(a));
  }
  if (key.protocol == IPPROTO_TCP && top[CTA_PROTOINFO] != nullptr) {
    std::array<const nlattr*, CTA_PROTOINFO_MAX + 1> info{};
    std::array<const nlattr*, CTA_PROTOINFO_TCP_MAX + 1> tcp{};
    if (ParseNested(top[CTA_PROTOINFO], &info) &&
        info[CTA_PROTOINFO_TCP] != nullptr &&
        ParseNested(info[CTA_PROTOINFO_TCP], &tcp) &&
        tcp[CTA_PROTOINFO_TCP_STATE] != nullptr &&
        mnl_attr_validate(tcp[CTA_PROTOINFO_TCP_STATE], MNL_TYPE_U8) >= 0) {
      key.tcp_state = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
    }
  }
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

absl::string_view StateLabel(const FlowKey& key) {
  if (key.protocol == IPPROTO_TCP && key.tcp_state) {
    switch (*key.tcp_state) {
      case TCP_CONNTRACK_NONE:
        return "none";
      case TCP_CONNTRACK_SYN_SENT:
        return "syn_sent";
      case TCP_CONNTRACK_SYN_RECV:
        return "syn_recv";
      case TCP_CONNTRACK_ESTABLISHED:
        return "established";
      case TCP_CONNTRACK_FIN_WAIT:
        return "fin_wait";
      case TCP_CONNTRACK_CLOSE_WAIT:
        return "close_wait";
      case TCP_CONNTRACK_LAST_ACK:
        return "last_ack";
      case TCP_CONNTRACK_TIME_WAIT:
        return "time_wait";
      case TCP_CONNTRACK_CLOSE:
        return "close";
      case TCP_CONNTRACK_SYN_SENT2:
        return "syn_sent2";
      default:
        return "other";
    }
  }
  if (key.status & IPS_ASSURED) return "assured";
  if (key.status & IPS_SEEN_REPLY) return "replied";
  return "unreplied";
}

}  // namespace nfce

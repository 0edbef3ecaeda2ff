// SPDX-License-Identifier: Apache-2.0
// libnetfilter_conntrack as the reference for our own ctnetlink decoder
// (collectors/flow_parser.h): the same message decoded by the official
// library, into the same FlowKey, so that the two can be compared field by
// field. Tests and benchmarks only; the exporter never links it.
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <string>

#include "collectors/parse/flow_parser.h"

namespace nfce {

// What libnetfilter_conntrack makes of one message.
struct ReferenceEntry {
  FlowKey key;
  uint32_t mark = 0;  // ATTR_MARK; 0 if unset
};

// nfct_nlmsg_parse into a new object, then the getters, as a library user's
// callback does; nullopt where the library refuses the message (including
// where it would exit() the process: see reference_decoder.cc). Fields the
// library leaves unset take FlowKey's defaults (status and zone 0, no port,
// no timeout), as our decoder does.
std::optional<ReferenceEntry> ReferenceDecode(const nlmsghdr* nlh);

// The fields where the two decoders differ, as "field: ours X, reference Y"
// lines; empty when they agree. A TCP state is compared for TCP only (our
// decoder keeps none for other protocols); addresses as many bytes as the
// family has.
std::string Differences(const FlowKey& ours, const FlowKey& reference);

}  // namespace nfce

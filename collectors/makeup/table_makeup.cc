// SPDX-License-Identifier: Apache-2.0
#include "collectors/makeup/table_makeup.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "collectors/parse/ifaddr.h"

namespace nfce {
namespace {

bool HasPorts(uint8_t protocol) {
  switch (protocol) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
    case IPPROTO_SCTP:
    case IPPROTO_DCCP:
      return true;
    default:
      return false;
  }
}

// Ties in the top lists are broken by key bytes, so that equal counts come
// out in the same order from one dump to the next.
bool KeyLess(const MakeupBuilder::SourceKey& a,
             const MakeupBuilder::SourceKey& b) {
  if (a.family != b.family) return a.family < b.family;
  return a.address < b.address;
}
bool KeyLess(const MakeupBuilder::DestinationKey& a,
             const MakeupBuilder::DestinationKey& b) {
  if (a.family() != b.family()) return a.family() < b.family();
  if (!(a.address == b.address)) return a.address < b.address;
  return std::make_pair(a.protocol(), a.port()) <
         std::make_pair(b.protocol(), b.port());
}
bool KeyLess(const MakeupBuilder::SnatKey& a, const MakeupBuilder::SnatKey& b) {
  if (!(a.nat_address == b.nat_address)) return a.nat_address < b.nat_address;
  return KeyLess(a.destination, b.destination);
}

MakeupBuilder::DestinationKey DestinationOf(const FlowKey& e) {
  MakeupBuilder::DestinationKey dest;
  const bool has_port = HasPorts(e.protocol) && e.destination_port.has_value();
  dest.service = uint64_t{e.family} | uint64_t{e.protocol} << 8 |
                 uint64_t{has_port} << 16 |
                 uint64_t{has_port ? *e.destination_port : 0u} << 24;
  dest.address = MakeupBuilder::Address::Of(e.destination);
  return dest;
}

TopItem DestinationItem(const MakeupBuilder::DestinationKey& k) {
  TopItem item;
  item.address = AddressText(k.family(), k.address.Bytes(), false);
  item.protocol = std::string(ProtocolLabel(k.protocol()));
  if (k.has_port()) item.port = absl::StrCat(k.port());
  return item;
}

template <typename Key, typename ToItem>
TopList MakeTopList(const HeavyHitters<Key>& sketch, int k, ToItem to_item) {
  TopList list;
  list.capacity = sketch.capacity();
  list.exact = sketch.exact();
  list.bound = sketch.bound();
  list.largest = sketch.Largest();
  auto less = [](const Key& a, const Key& b) { return KeyLess(a, b); };
  for (const auto& c : sketch.Top(static_cast<size_t>(k), less)) {
    TopItem item = to_item(c.key);
    item.entries = c.count;
    item.error = c.error;
    item.unreplied = c.flagged;
    list.items.push_back(std::move(item));
  }
  return list;
}

}  // namespace

MakeupBuilder::Address MakeupBuilder::Address::Of(
    const std::array<uint8_t, 16>& bytes) {
  Address a;
  std::memcpy(&a.hi, bytes.data(), 8);
  std::memcpy(&a.lo, bytes.data() + 8, 8);
  return a;
}

std::array<uint8_t, 16> MakeupBuilder::Address::Bytes() const {
  std::array<uint8_t, 16> bytes;
  std::memcpy(bytes.data(), &hi, 8);
  std::memcpy(bytes.data() + 8, &lo, 8);
  return bytes;
}

bool MakeupBuilder::Address::operator<(const Address& o) const {
  return Bytes() < o.Bytes();
}

void FlowAggregator::Add(const FlowKey& flow) {
  uint32_t zone = flow.zone;
  if (zone != 0 && !zones_.count(flow.zone)) {  // zone 0 is almost all
    if (static_cast<int>(zones_.size()) < max_zones_) {
      zones_.insert(flow.zone);
    } else {
      zone = kOtherZone;
    }
  }
  ++raw_[uint64_t{flow.family} << 48 | uint64_t{flow.protocol} << 40 |
         uint64_t{StateIndex(flow)} << 32 | zone];
  ++total_;
}

std::map<FlowAggregator::Key, uint64_t> FlowAggregator::Counts() const {
  std::map<Key, uint64_t> out;
  for (const auto& [raw, count] : raw_) {
    uint32_t zone = raw & 0xffffffff;
    out[{FamilyLabel(raw >> 48 & 0xff), ProtocolLabel(raw >> 40 & 0xff),
         StateName(raw >> 32 & 0xff),
         zone == kOtherZone ? -1 : static_cast<int>(zone)}] += count;
  }
  return out;
}

void IdleHistogram::Observe(uint32_t remaining, bool fixed_timeout) {
  if (fixed_timeout || remaining > timeout) {
    ++excluded;
    return;
  }
  const double idle = static_cast<double>(timeout - remaining);
  size_t i =
      std::lower_bound(kBounds.begin(), kBounds.end(), idle) - kBounds.begin();
  ++counts[i];
  sum += idle;
  ++count;
}

uint64_t IdleHistogram::IdleLongerThan(double bound) const {
  uint64_t n = 0;
  for (size_t i = kBounds.size() + 1; i-- > 0;) {
    if (i < kBounds.size() && kBounds[i] <= bound) break;
    n += counts[i];
  }
  return n;
}

bool StandsOut(const TopList& list, const TopItem& item) {
  return list.exact || Least(item.entries, item.error) > list.bound;
}

size_t SketchCapacity(int top) {
  if (top <= 0) return 0;
  // Three quarters of a power of two of at least 8,192 slots: the hash
  // table then holds the counters without ever growing (absl grows past
  // 25/32 full).
  size_t slots = 8192;
  while (slots / 4 * 3 < 64 * static_cast<size_t>(top)) slots *= 2;
  return slots / 4 * 3;
}

void ReadIdleTimeouts(const KernelView& view, ConntrackFlavor flavor,
                      MakeupOptions* options) {
  options->tcp_established_timeout.reset();
  options->udp_stream_timeout.reset();
  for (auto [suffix, dest] :
       {std::make_pair("tcp_timeout_established",
                       &options->tcp_established_timeout),
        std::make_pair("udp_timeout_stream", &options->udp_stream_timeout)}) {
    if (auto t = view.TimeoutSeconds(flavor, suffix); t && *t <= UINT32_MAX) {
      *dest = static_cast<uint32_t>(*t);
    }
  }
}

MakeupBuilder::MakeupBuilder(const MakeupOptions& options)
    : top_(std::max(options.top, 0)),
      flows_(options.max_zones),
      sources_(SketchCapacity(options.top)),
      destinations_(SketchCapacity(options.top)),
      snat_(SketchCapacity(options.top)) {
  if (options.tcp_established_timeout) {
    tcp_established_.emplace();
    tcp_established_->timeout = *options.tcp_established_timeout;
  }
  if (options.udp_stream_timeout) {
    udp_stream_.emplace();
    udp_stream_->timeout = *options.udp_stream_timeout;
  }
}

void MakeupBuilder::Add(const FlowKey& e) {
  flows_.Add(e);
  const bool unreplied = !(e.status & IPS_SEEN_REPLY);
  unreplied_ += unreplied;
  if (top_ > 0) {
    // An IPv6 source counts as its /64: one host, or one subnet's worth of
    // privacy addresses, stays one key.
    SourceKey source;
    source.family = e.family;
    source.address = Address::Of(e.source);  // IPv4: the rest is zero
    if (e.family == AF_INET6) source.address.lo = 0;
    sources_.Add(source, unreplied);
    destinations_.Add(DestinationOf(e), unreplied);
  }
  if (e.status & IPS_ASSURED) ++assured_by_protocol_[e.protocol];
  if (e.status & IPS_SRC_NAT) {
    ++snat_by_protocol_[e.protocol];
    if (top_ > 0 && e.has_reply) {
      snat_.Add({DestinationOf(e), Address::Of(e.reply_destination)},
                unreplied);
    }
  }
  if (e.timeout) {
    const bool fixed = e.status & IPS_FIXED_TIMEOUT;
    if (tcp_established_ && e.protocol == IPPROTO_TCP &&
        e.tcp_state == TCP_CONNTRACK_ESTABLISHED) {
      tcp_established_->Observe(*e.timeout, fixed);
    } else if (udp_stream_ && e.protocol == IPPROTO_UDP &&
               (e.status & IPS_ASSURED)) {
      udp_stream_->Observe(*e.timeout, fixed);
    }
  }
}

TableMakeup MakeupBuilder::Finish() const {
  TableMakeup m;
  m.flows = flows_.Counts();
  m.total = flows_.total();
  m.unreplied = unreplied_;
  m.tcp_established = tcp_established_;
  m.udp_stream = udp_stream_;
  if (top_ > 0) {
    m.top_sources = MakeTopList(sources_, top_, [](const SourceKey& k) {
      TopItem item;
      item.address =
          AddressText(k.family, k.address.Bytes(), k.family == AF_INET6);
      return item;
    });
    m.top_destinations = MakeTopList(destinations_, top_, DestinationItem);
    m.top_snat = MakeTopList(snat_, top_, [](const SnatKey& k) {
      TopItem item = DestinationItem(k.destination);
      item.nat_address =
          AddressText(k.destination.family(), k.nat_address.Bytes());
      return item;
    });
    m.sketch_bytes = sources_.MemoryBytes() + destinations_.MemoryBytes() +
                     snat_.MemoryBytes();
  }
  for (size_t p = 0; p < snat_by_protocol_.size(); ++p) {
    const std::string label(ProtocolLabel(static_cast<uint8_t>(p)));
    if (snat_by_protocol_[p]) m.snat_entries[label] += snat_by_protocol_[p];
    if (assured_by_protocol_[p]) {
      m.assured_entries[label] += assured_by_protocol_[p];
      m.assured += assured_by_protocol_[p];
    }
  }
  return m;
}

absl::StatusOr<TableMakeup> DumpTableMakeup(const KernelView& view,
                                            const MakeupOptions& options,
                                            absl::Time deadline) {
  MakeupBuilder builder(options);
  absl::Status status = view.DumpConntrack(
      [&builder](const FlowKey& entry) { builder.Add(entry); }, deadline);
  if (!status.ok()) return status;
  return builder.Finish();
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/makeup/heavy_hitters.h"
#include "collectors/parse/flow_parser.h"

namespace nfce {

// Counts entries by family, protocol, state and zone. Beyond the default
// zone 0, the first `max_zones` zones seen get their own label and the rest
// count as zone "other", so the number of series stays bounded whatever the
// table holds.
class FlowAggregator {
 public:
  // (family, protocol, state, zone); zone -1 stands for "other".
  using Key =
      std::tuple<absl::string_view, absl::string_view, absl::string_view, int>;
  explicit FlowAggregator(int max_zones) : max_zones_(max_zones) {}

  void Add(const FlowKey& flow);
  // The counts by label values (protocols without a label of their own
  // merged into "other").
  std::map<Key, uint64_t> Counts() const;
  uint64_t total() const { return total_; }

 private:
  static constexpr uint32_t kOtherZone = 0x10000;
  int max_zones_;
  std::set<uint16_t> zones_;
  // Keyed by the raw values packed into one integer: Add() runs once per
  // entry of the table, and this keeps it to one hash lookup.
  std::unordered_map<uint64_t, uint64_t> raw_;
  uint64_t total_ = 0;
};

// How long entries of one protocol and state have been idle: the state's
// timeout sysctl minus the seconds the entry has left (every packet resets
// the timer to the full timeout).
struct IdleHistogram {
  static constexpr std::array<double, 9> kBounds = {
      60, 300, 900, 3600, 10800, 36000, 86400, 172800, 432000};
  uint64_t timeout = 0;  // the sysctl, in seconds
  // Per bucket, not cumulative: counts[i] holds idle <= kBounds[i] and
  // > kBounds[i-1]; the last one, idle > kBounds.back().
  std::array<uint64_t, kBounds.size() + 1> counts{};
  double sum = 0;
  uint64_t count = 0;
  // Entries left out: more time left than the sysctl gives (a timeout policy
  // of their own) or a fixed timeout that packets do not reset.
  uint64_t excluded = 0;

  void Observe(uint32_t remaining, bool fixed_timeout);
  // Entries idle for more than `bound`, which must be one of kBounds.
  uint64_t IdleLongerThan(double bound) const;
};

// Source ports the kernel picks from for a source-NAT tuple whose rule names
// no range, for a client port of 1024 or more: 1024-65535 (KERNEL-NOTES).
inline constexpr int kKernelSnatPorts = 64512;

// One of the top sources, destinations or source-NAT tuples.
struct TopItem {
  std::string address;   // "192.0.2.1", or an IPv6 /64: "2001:db8:1:2::/64"
  std::string protocol;  // destinations and SNAT tuples
  std::string port;      // the same; "" for portless protocols
  // Upper bounds: the truth lies in [entries - error, entries] and
  // [unreplied - error, unreplied] (exact when error is 0).
  uint64_t entries = 0;
  uint64_t error = 0;
  uint64_t unreplied = 0;   // of entries, not (yet) answered
  std::string nat_address;  // SNAT tuples: the address traffic leaves with
};

struct TopList {
  std::vector<TopItem> items;  // largest first
  size_t capacity = 0;         // counters of the sketch
  bool exact = true;           // every distinct key fitted the sketch
  // The most any count may overstate by (0 when exact), and the most
  // entries a key the sketch did not keep can hold.
  uint64_t bound = 0;
  // The most entries any one key can hold, listed or not.
  uint64_t largest = 0;
};

// The least a count with that error can be.
inline uint64_t Least(uint64_t count, uint64_t error) {
  return count > error ? count - error : 0;
}

// Whether `item` is certainly above the noise of its list: exact, or its
// least possible count exceeds the most a key the sketch did not keep can
// hold. The lists are ranked by least count, so the keys that stand out
// come first. The doctor and the status page name only such keys.
bool StandsOut(const TopList& list, const TopItem& item);

// What one dump says about the table of this network namespace.
struct TableMakeup {
  std::map<FlowAggregator::Key, uint64_t> flows;
  uint64_t total = 0;
  uint64_t unreplied = 0;  // no reply seen (status without SEEN_REPLY)
  std::optional<TopList> top_sources;       // nullopt: top lists off
  std::optional<TopList> top_destinations;  // nullopt: top lists off
  // Source-NATed entries (IPS_SRC_NAT) by protocol label, and the top
  // (NAT address, destination, port, protocol) tuples by entries. Each such
  // entry holds one NAT port of its tuple (the reply tuple is unique in a
  // zone), so a tuple's entries are the source ports it has in use.
  std::map<std::string, uint64_t> snat_entries;
  // Assured entries (IPS_ASSURED) by protocol label: what early drop may not
  // evict. The rest of `total` is the table's evictable headroom.
  std::map<std::string, uint64_t> assured_entries;
  uint64_t assured = 0;
  std::optional<TopList> top_snat;               // nullopt: top lists off
  std::optional<IdleHistogram> tcp_established;  // nullopt: sysctl unknown
  std::optional<IdleHistogram> udp_stream;       // ASSURED UDP
  size_t sketch_bytes = 0;                       // memory of the top-K sketches
};

struct MakeupOptions {
  int max_zones = 16;
  int top = 10;  // K of the top lists; 0 turns them off
  std::optional<uint32_t> tcp_established_timeout;
  std::optional<uint32_t> udp_stream_timeout;
};

// Counters of each top-K sketch: counts are exact while the distinct keys of
// a dump fit, and overstate by at most 2 x entries / capacity beyond.
size_t SketchCapacity(int top);

// Reads the two timeout sysctls the idle histograms are measured against.
void ReadIdleTimeouts(const KernelView& view, ConntrackFlavor flavor,
                      MakeupOptions* options);

// Builds a TableMakeup from the entries of one dump, in bounded memory.
class MakeupBuilder {
 public:
  explicit MakeupBuilder(const MakeupOptions& options);
  void Add(const FlowKey& entry);
  TableMakeup Finish() const;

  // Keys of the sketches: addresses as two words each, so that a key
  // compares and hashes as a few integers (the sketches probe once per
  // entry of the table).
  struct Address {
    uint64_t hi = 0, lo = 0;  // the 16 bytes in memory order
    static Address Of(const std::array<uint8_t, 16>& bytes);
    std::array<uint8_t, 16> Bytes() const;
    bool operator==(const Address& o) const { return hi == o.hi && lo == o.lo; }
    bool operator<(const Address& o) const;  // as the bytes compare
  };
  struct SourceKey {
    Address address;  // IPv6: its /64
    uint8_t family = 0;
    bool operator==(const SourceKey& o) const {
      return address == o.address && family == o.family;
    }
    template <typename H>
    friend H AbslHashValue(H h, const SourceKey& k) {
      return H::combine(std::move(h), k.address.hi,
                        k.address.lo ^ (uint64_t{k.family} << 56));
    }
  };
  struct DestinationKey {
    Address address;
    // family, protocol, whether it has a port, and the port, in one word
    uint64_t service = 0;
    uint8_t family() const { return service & 0xff; }
    uint8_t protocol() const { return service >> 8 & 0xff; }
    bool has_port() const { return service >> 16 & 1; }
    uint16_t port() const { return service >> 24 & 0xffff; }
    bool operator==(const DestinationKey& o) const {
      return address == o.address && service == o.service;
    }
    template <typename H>
    friend H AbslHashValue(H h, const DestinationKey& k) {
      return H::combine(std::move(h), k.address.hi, k.address.lo ^ k.service);
    }
  };
  // A source-NAT tuple: the reply's destination (the NAT address) and the
  // original destination, port and protocol.
  struct SnatKey {
    DestinationKey destination;
    Address nat_address;
    bool operator==(const SnatKey& o) const {
      return destination == o.destination && nat_address == o.nat_address;
    }
    template <typename H>
    friend H AbslHashValue(H h, const SnatKey& k) {
      return H::combine(std::move(h), k.destination, k.nat_address.hi,
                        k.nat_address.lo);
    }
  };

 private:
  const int top_;
  FlowAggregator flows_;
  HeavyHitters<SourceKey> sources_;
  HeavyHitters<DestinationKey> destinations_;
  HeavyHitters<SnatKey> snat_;
  // By protocol number: an array, as Add() runs once per entry.
  std::array<uint64_t, 256> snat_by_protocol_{};
  std::array<uint64_t, 256> assured_by_protocol_{};
  std::optional<IdleHistogram> tcp_established_;
  std::optional<IdleHistogram> udp_stream_;
  uint64_t unreplied_ = 0;
};

// One dump of the whole table of this network namespace, aggregated.
absl::StatusOr<TableMakeup> DumpTableMakeup(const KernelView& view,
                                            const MakeupOptions& options,
                                            absl::Time deadline);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "exporter/doctor/diagnosis.h"
#include "exporter/doctor/steps.h"
#include "exporter/doctor/thresholds.h"

namespace nfce {
namespace {

constexpr double kLargeShare = 0.25;  // one client or service
constexpr double kDominates = 0.30;   // TIME_WAIT, unreplied

uint64_t FlowCount(const TableMakeup& m, absl::string_view protocol,
                   absl::string_view state) {
  uint64_t n = 0;
  for (const auto& [key, count] : m.flows) {
    if (std::get<1>(key) == protocol &&
        (state.empty() || std::get<2>(key) == state)) {
      n += count;
    }
  }
  return n;
}

// At a steady rate of new entries, the number held in a state scales with
// its timeout (Little's law).
uint64_t Scaled(uint64_t count, uint64_t from, uint64_t to) {
  return from ? static_cast<uint64_t>(
                    std::llround(static_cast<double>(count) * to / from))
              : count;
}

// Shortening one timeout sysctl from today's value (the kernel's default if
// unread) to `to`, with about how many of `count` entries it would hold at
// the same rate, and its steps; nothing where it is that short already.
std::optional<finding::Shorten> ShortenTimeout(const HostFacts& f,
                                               absl::string_view sysctl,
                                               uint64_t kernel_default,
                                               uint64_t to, uint64_t count,
                                               absl::string_view what,
                                               std::vector<Step>* steps) {
  const uint64_t from = f.Timeout(std::string(sysctl)).value_or(kernel_default);
  if (from <= to) return std::nullopt;
  SetSysctl(f, sysctl, to, steps);
  return finding::Shorten{std::string(sysctl), from, to,
                          Scaled(count, from, to), std::string(what)};
}

void AdviseIdle(const HostFacts& f, const TableMakeup& m,
                std::vector<Finding>* out) {
  if (!m.tcp_established || m.total == 0) return;
  const IdleHistogram& h = *m.tcp_established;
  constexpr double kLong = 36000;  // 10 h
  const uint64_t idle_long = h.IdleLongerThan(kLong);
  if (idle_long < 50 || idle_long * 20 < m.total) return;  // under 5 %
  finding::IdleEstablished d;
  // Candidates below today's timeout, each with what it frees now.
  for (uint64_t c : {86400, 36000, 10800, 3600}) {
    if (c < h.timeout) {
      d.candidates.push_back({c, h.IdleLongerThan(static_cast<double>(c))});
    }
  }
  if (d.candidates.empty()) return;
  d.pick = d.candidates.front().timeout;
  for (const auto& c : d.candidates) {
    if (c.timeout == 36000) d.pick = 36000;
  }
  d.idle_long = idle_long;
  d.total = m.total;
  d.timeout = h.timeout;
  d.freed = h.IdleLongerThan(static_cast<double>(d.pick));
  // conntrack -D dumps and filters the whole table for every entry it
  // deletes (docs/performance.md, "Figures behind the code"), so one-by-one
  // deletion is offered only while that walk stays small.
  constexpr uint64_t kMaxDeleteWalk = 10'000'000;
  d.delete_now = d.freed * m.total <= kMaxDeleteWalk;
  d.established = h.count;
  d.excluded = h.excluded;
  d.kube_proxy = f.kube_proxy;
  Finding a{Severity::kNote, d, {}};
  if (f.kube_proxy) {
    a.steps.push_back(
        {Step::Where::kKubeProxy, true,
         absl::StrCat("conntrack.tcpEstablishedTimeout: ", d.pick / 3600,
                      "h0m0s (KubeProxyConfiguration; flag "
                      "--conntrack-tcp-timeout-established)")});
  }
  SetSysctl(f, "tcp_timeout_established", d.pick, &a.steps);
  if (d.delete_now) {
    // Entries with less time left than (timeout - pick) are idle longer
    // than pick. conntrack -L prints IPv4 by default: "tcp 6 <left>
    // ESTABLISHED src= dst= sport= dport= ...".
    a.steps.insert(
        a.steps.begin() + 1,
        {Step::Where::kNamespace, false,
         absl::StrCat(
             "conntrack -L -p tcp --state ESTABLISHED 2>/dev/null | "
             "awk '$3 < ",
             h.timeout - d.pick,
             " { split($5, s, \"=\"); split($6, d, \"=\"); "
             "split($7, p, \"=\"); split($8, q, \"=\"); "
             "print \"-D -p tcp -s\", s[2], \"-d\", d[2], \"--sport\", "
             "p[2], \"--dport\", q[2] }' | conntrack -R - >/dev/null")});
  }
  out->push_back(std::move(a));
}

void AdviseService(const HostFacts& f, const TableMakeup& m, const TopItem& t,
                   std::vector<Finding>* out) {
  finding::DominantService d;
  d.address = t.address;
  d.protocol = t.protocol;
  d.port = t.port;
  d.entries = Least(t.entries, t.error);
  d.total = m.total;
  d.unreplied = Least(t.unreplied, t.error);
  d.error = t.error;
  Finding a{Severity::kNote, {}, {}};
  if (t.protocol == "udp" && t.port == "53") {
    d.kind = "dns";
    d.udp_timeout = f.Timeout("udp_timeout").value_or(30);
    d.udp_scaled = Scaled(d.unreplied, d.udp_timeout, 10);
    NotrackUdpPort(53, &a.steps);
  } else if (d.unreplied * 2 >= d.entries) {
    d.kind = "unanswered";
    if (t.protocol == "tcp") {
      d.shorten = ShortenTimeout(f, "tcp_timeout_syn_recv", 60, 10, d.unreplied,
                                 "of its half-open entries", &a.steps);
    }
  } else {
    d.kind = "busy";
  }
  a.details = std::move(d);
  out->push_back(std::move(a));
}

void AdviseClient(const TableMakeup& m, const TopItem& t,
                  std::vector<Finding>* out) {
  finding::DominantClient d;
  d.address = t.address;
  d.entries = Least(t.entries, t.error);
  d.total = m.total;
  d.unreplied = Least(t.unreplied, t.error);
  d.error = t.error;
  d.unanswered = d.unreplied * 2 >= d.entries;
  const std::string match = absl::StrContains(t.address, ':')
                                ? absl::StrCat("ip6 saddr ", t.address)
                                : absl::StrCat("ip saddr ", t.address);
  Step step{
      Step::Where::kNamespace, false,
      d.unanswered
          ? absl::StrCat("nft add rule inet filter input ", match,
                         " ct state new limit rate over 50/second drop")
          : absl::StrCat("nft add rule inet filter input ", match,
                         " ct count over ",
                         std::max<uint64_t>(1000, d.entries / 4), " reject")};
  out->push_back(Finding{Severity::kNote, std::move(d), {std::move(step)}});
}

// The first key of `list` when it stands out with a large share of the
// table, counted at its least possible count.
const TopItem* LargeShare(const std::optional<TopList>& list, uint64_t total) {
  if (!list || list->items.empty()) return nullptr;
  const TopItem& t = list->items.front();
  if (!StandsOut(*list, t)) return nullptr;
  return Least(t.entries, t.error) >= kLargeShare * static_cast<double>(total)
             ? &t
             : nullptr;
}

void AdviseLargeShare(const HostFacts& f, const TableMakeup& m,
                      std::vector<Finding>* out) {
  // A quarter of a nearly empty table (under 0.1 % of the limit) is no
  // culprit.
  if (m.total < 100 || (f.limit && m.total * 1000 < *f.limit)) return;
  if (const TopItem* t = LargeShare(m.top_destinations, m.total)) {
    AdviseService(f, m, *t, out);
  }
  // Behind a NAT out of ports, a client's many connections are the symptom:
  // the SNAT finding says what to do.
  if (const TopItem* t = LargeShare(m.top_sources, m.total);
      t && !SnatFinding(f)) {
    AdviseClient(m, *t, out);
  }
}

void AdviseDominantStates(const HostFacts& f, const TableMakeup& m,
                          std::vector<Finding>* out) {
  if (m.total < 100) return;
  const uint64_t time_wait = FlowCount(m, "tcp", "time_wait");
  if (time_wait >= kDominates * m.total) {
    finding::TimeWaitDominates d;
    d.time_wait = time_wait;
    d.total = m.total;
    d.timeout = f.Timeout("tcp_timeout_time_wait").value_or(120);
    Finding a{Severity::kNote, {}, {}};
    d.shorten = ShortenTimeout(f, "tcp_timeout_time_wait", 120, 30, time_wait,
                               "TIME_WAIT entries", &a.steps);
    a.details = std::move(d);
    out->push_back(std::move(a));
  }
  if (m.unreplied >= kDominates * m.total) {
    finding::UnrepliedDominates d;
    d.unreplied = m.unreplied;
    d.total = m.total;
    d.udp = FlowCount(m, "udp", "unreplied");
    d.syn_sent = FlowCount(m, "tcp", "syn_sent");
    Finding a{Severity::kNote, {}, {}};
    if (d.udp * 2 >= m.unreplied) {
      d.kind = "udp";
      d.shorten = ShortenTimeout(f, "udp_timeout", 30, 10, d.udp,
                                 "unreplied UDP entries", &a.steps);
    } else if (d.syn_sent * 2 >= m.unreplied) {
      d.kind = "syn_sent";
      d.shorten = ShortenTimeout(f, "tcp_timeout_syn_sent", 120, 30, d.syn_sent,
                                 "SYN_SENT entries", &a.steps);
    } else {
      d.kind = "mixed";
    }
    a.details = std::move(d);
    out->push_back(std::move(a));
  }
}

}  // namespace

std::optional<Finding> SnatFinding(const HostFacts& f) {
  if (!f.makeup || !f.makeup->top_snat || f.makeup->top_snat->items.empty() ||
      f.snat_ports <= 0) {
    return std::nullopt;
  }
  const TopItem& top = f.makeup->top_snat->items.front();
  // Past the sketch's capacity a tuple is judged at its least possible
  // count, and only when that is above the noise.
  if (!StandsOut(*f.makeup->top_snat, top)) return std::nullopt;
  const uint64_t in_use = Least(top.entries, top.error);
  const uint64_t available = static_cast<uint64_t>(f.snat_ports);
  const double share = static_cast<double>(in_use) / available;
  // Inserts that clashed rather than met a long chain: the symptom of a
  // tuple out of ports, even below the threshold (its ports come and go).
  const uint64_t clashes =
      f.Counter("insert_failed") - f.Counter("chaintoolong");
  if (share < kSnatPortsThreshold && clashes == 0) return std::nullopt;
  finding::SnatPortsExhausted d;
  d.nat_address = top.nat_address;
  d.destination = top.address;
  d.port = top.port;
  d.protocol = top.protocol;
  d.in_use = in_use;
  d.available = available;
  d.error = top.error;
  d.share = share;
  d.kube_proxy = f.kube_proxy;
  Finding out{
      in_use >= available ? Severity::kCritical : Severity::kWarning, {}, {}};
  const std::string where =
      absl::StrCat(d.destination, " ", d.protocol,
                   d.port.empty() ? "" : absl::StrCat(" dport ", d.port));
  out.steps.push_back(
      {Step::Where::kNamespace, false,
       absl::StrCat("nft -a list ruleset | grep -E 'masquerade|snat'  # the "
                    "rule that translates traffic to ",
                    where)});
  if (d.protocol == "udp") {
    // A query and its answer (replied, never assured) are kept for
    // nf_conntrack_udp_timeout.
    d.shorten = ShortenTimeout(f, "udp_timeout", 30, 10, d.in_use,
                               "ports in use", &out.steps);
  }
  out.steps.push_back(
      {Step::Where::kNamespace, true,
       absl::StrCat("/etc/nftables.conf: that rule with random-fully "
                    "(masquerade random-fully), or snat to a range of "
                    "addresses")});
  out.details = std::move(d);
  return out;
}

std::vector<Step> AssuredSteps(const HostFacts& f) {
  std::vector<Step> steps;
  // Established entries whose peers vanished live for the full timeout.
  const uint64_t established =
      f.Timeout("tcp_timeout_established").value_or(432000);
  if (established > 86400)
    SetSysctl(f, "tcp_timeout_established", 86400, &steps);
  const uint64_t stream = f.Timeout("udp_timeout_stream").value_or(120);
  if (stream > 60) SetSysctl(f, "udp_timeout_stream", 60, &steps);
  return steps;
}

std::vector<Finding> AdviseOnMakeup(const HostFacts& f) {
  std::vector<Finding> out;
  if (!f.makeup) return out;
  AdviseIdle(f, *f.makeup, &out);
  AdviseLargeShare(f, *f.makeup, &out);
  AdviseDominantStates(f, *f.makeup, &out);
  return out;
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/diagnosis.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "collectors/slab.h"
#include "exporter/doctor/format.h"

namespace nfce {
namespace {

uint64_t NextPow2(uint64_t v) {
  uint64_t p = 1;
  while (p < v && p < (uint64_t{1} << 62)) p <<= 1;
  return p;
}

// "net.netfilter.nf_conntrack_<suffix>", or the legacy name.
std::string SysctlName(ConntrackFlavor flavor, absl::string_view suffix) {
  return flavor == ConntrackFlavor::kLegacyIpConntrack
             ? absl::StrCat("net.ipv4.netfilter.ip_conntrack_", suffix)
             : absl::StrCat("net.netfilter.nf_conntrack_", suffix);
}

// A per-namespace sysctl set now and at boot. In a child namespace (a
// container) /etc/sysctl.d is not applied to it: its runtime sets it.
void SetSysctl(const HostFacts& f, absl::string_view suffix, uint64_t value,
               std::vector<Step>* steps) {
  const std::string name = SysctlName(f.flavor, suffix);
  steps->push_back({Step::Where::kNamespace, false,
                    absl::StrCat("sysctl -w ", name, "=", value)});
  steps->push_back(
      {Step::Where::kNamespace, true,
       f.netns_initial == false
           ? absl::StrCat("the container's sysctls (docker run --sysctl ", name,
                          "=", value, ", or a Pod's securityContext.sysctls)")
           : absl::StrCat(f.flavor == ConntrackFlavor::kLegacyIpConntrack
                              ? "/etc/sysctl.conf"
                              : "/etc/sysctl.d/90-conntrack.conf",
                          ": ", name, " = ", value)});
}

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

// Advice to shorten one timeout sysctl from today's value (the kernel's
// default if unread) to `to`, with about how many of `count` entries it
// would hold at the same rate; nothing where it is that short already.
void ShortenTimeout(const HostFacts& f, absl::string_view suffix,
                    uint64_t kernel_default, uint64_t to, uint64_t count,
                    absl::string_view what, Advice* a) {
  const uint64_t from = f.Timeout(std::string(suffix)).value_or(kernel_default);
  if (from <= to) return;
  a->figures.push_back(absl::StrCat("nf_conntrack_", suffix, " ", from, " -> ",
                                    to, " s: about ", Scaled(count, from, to),
                                    " ", what, " at the same rate"));
  SetSysctl(f, suffix, to, &a->steps);
}

constexpr double kLargeShare = 0.25;  // one client or service
constexpr double kDominates = 0.30;   // TIME_WAIT, unreplied

void AdviseIdle(const HostFacts& f, const TableMakeup& m,
                std::vector<Advice>* out) {
  if (!m.tcp_established || m.total == 0) return;
  const IdleHistogram& h = *m.tcp_established;
  constexpr double kLong = 36000;  // 10 h
  const uint64_t idle_long = h.IdleLongerThan(kLong);
  if (idle_long < 50 || idle_long * 20 < m.total) return;  // under 5 %
  // Candidates below today's timeout, each with what it frees now.
  std::vector<uint64_t> candidates;
  for (uint64_t c : {86400, 36000, 10800, 3600}) {
    if (c < h.timeout) candidates.push_back(c);
  }
  if (candidates.empty()) return;
  const uint64_t pick =
      std::find(candidates.begin(), candidates.end(), 36000) != candidates.end()
          ? 36000
          : candidates.front();
  Advice a;
  const uint64_t freed = h.IdleLongerThan(static_cast<double>(pick));
  // conntrack -D dumps and filters the whole table for every entry it
  // deletes (measured here: 2,700 deletes from 9,800 entries took 90 s), so
  // one-by-one deletion is offered only while that walk stays small.
  constexpr uint64_t kMaxDeleteWalk = 10'000'000;
  const bool delete_now = freed * m.total <= kMaxDeleteWalk;
  a.finding = absl::StrCat(
      idle_long, " established TCP entries (", Percent(idle_long, m.total),
      " of the table) have been idle for more than 10 h: peers that vanished "
      "without FIN or RST. nf_conntrack_tcp_timeout_established is ",
      h.timeout, " s (", Duration(h.timeout), "); at ", pick, " s these ",
      freed,
      " entries would have expired already. Lowering it stops them piling "
      "up; ",
      delete_now ? absl::StrCat("deleting the ones idle longer frees ", freed,
                                " entries now.")
                 : absl::StrCat("the ones idle now expire on their own timers, "
                                "within ",
                                Duration(h.timeout), "."));
  for (uint64_t c : candidates) {
    a.figures.push_back(absl::StrCat(
        "timeout ", c, " s (", Duration(c),
        "): ", h.IdleLongerThan(static_cast<double>(c)), " of ", h.count,
        " established entries would have expired already"));
  }
  a.figures.push_back(absl::StrCat(
      "a new timeout applies to an entry at its next packet: entries whose "
      "peers are gone keep their expiry (up to ",
      Duration(h.timeout), ")",
      delete_now
          ? "; hence the delete command (conntrack-tools 1.4.6+ for -R; "
            "IPv4, for IPv6 add -f ipv6 to -L and to each -D)"
          : absl::StrCat("; deleting ", freed,
                         " one by one would make conntrack walk the ", m.total,
                         "-entry table ", freed,
                         " times: conntrack -F, which flushes every entry "
                         "(in a maintenance window), is the quick way")));
  a.figures.push_back(
      "a connection silent for longer than the timeout is forgotten; with "
      "nf_conntrack_tcp_loose=1 (the default) its next packet tracks it "
      "again, but NAT or stateful rules may cut it");
  if (h.excluded) {
    a.figures.push_back(
        absl::StrCat(h.excluded,
                     " established entries with a timeout of their own are "
                     "left out of these figures"));
  }
  if (f.kube_proxy) {
    a.figures.push_back(
        "kube-proxy sets this timeout at every start: change its "
        "configuration, or the sysctl is reset");
    a.steps.push_back(
        {Step::Where::kKubeProxy, true,
         absl::StrCat("conntrack.tcpEstablishedTimeout: ", pick / 3600,
                      "h0m0s (KubeProxyConfiguration; flag "
                      "--conntrack-tcp-timeout-established)")});
  }
  SetSysctl(f, "tcp_timeout_established", pick, &a.steps);
  if (!delete_now) {
    out->push_back(std::move(a));
    return;
  }
  // Entries with less time left than (timeout - pick) are idle longer than
  // pick. conntrack -L prints IPv4 by default: "tcp 6 <left> ESTABLISHED
  // src= dst= sport= dport= ...".
  a.steps.insert(
      a.steps.begin() + 1,
      {Step::Where::kNamespace, false,
       absl::StrCat("conntrack -L -p tcp --state ESTABLISHED 2>/dev/null | "
                    "awk '$3 < ",
                    h.timeout - pick,
                    " { split($5, s, \"=\"); split($6, d, \"=\"); "
                    "split($7, p, \"=\"); split($8, q, \"=\"); "
                    "print \"-D -p tcp -s\", s[2], \"-d\", d[2], \"--sport\", "
                    "p[2], \"--dport\", q[2] }' | conntrack -R - >/dev/null")});
  out->push_back(std::move(a));
}

void AdviseLargeShare(const HostFacts& f, const TableMakeup& m,
                      std::vector<Advice>* out) {
  if (m.total < 100) return;
  const double total = static_cast<double>(m.total);
  if (m.top_destinations && !m.top_destinations->items.empty()) {
    const TopItem& d = m.top_destinations->items.front();
    if (d.entries >= kLargeShare * total) {
      Advice a;
      const std::string who =
          absl::StrCat(d.address, " ", d.protocol,
                       d.port.empty() ? "" : absl::StrCat("/", d.port));
      a.finding = absl::StrCat(
          "One service holds ", Percent(d.entries, m.total),
          " of the table: ", who, " has ", d.entries, " of ", m.total,
          " entries, ", d.unreplied, " of them unreplied.");
      if (d.protocol == "udp" && d.port == "53") {
        const uint64_t udp_timeout = f.Timeout("udp_timeout").value_or(30);
        a.figures.push_back(
            "DNS: every query is a new UDP entry that lives for "
            "nf_conntrack_udp_timeout (" +
            absl::StrCat(udp_timeout, " s) unreplied, or the stream ") +
            "timeout once answered; a resolver on this host does not need "
            "tracking");
        a.figures.push_back(absl::StrCat(
            "notrack for port 53 frees all ", d.entries,
            " (not for DNS that is NATed through this host, and stateful "
            "rules must then accept untracked packets)"));
        a.figures.push_back(absl::StrCat(
            "or nf_conntrack_udp_timeout ", udp_timeout, " -> 10 s: about ",
            Scaled(d.unreplied, udp_timeout, 10), " of its ", d.unreplied,
            " unreplied entries at the same query rate"));
        a.steps.push_back({Step::Where::kNamespace, false,
                           "nft add table inet conntrack_notrack"});
        a.steps.push_back(
            {Step::Where::kNamespace, false,
             "nft add chain inet conntrack_notrack pre '{ type filter hook "
             "prerouting priority raw; }'"});
        a.steps.push_back(
            {Step::Where::kNamespace, false,
             "nft add chain inet conntrack_notrack out '{ type filter hook "
             "output priority raw; }'"});
        for (const char* chain : {"pre", "out"}) {
          for (const char* dir : {"dport", "sport"}) {
            a.steps.push_back(
                {Step::Where::kNamespace, false,
                 absl::StrCat("nft add rule inet conntrack_notrack ", chain,
                              " udp ", dir, " 53 notrack")});
          }
        }
        a.steps.push_back(
            {Step::Where::kNamespace, true,
             "/etc/nftables.conf: the same table, so that it survives a "
             "reboot"});
      } else if (d.unreplied * 2 >= d.entries) {
        a.figures.push_back(
            d.protocol == "tcp"
                ? "mostly unanswered connection attempts: a SYN flood, or a "
                  "backend that is down"
                : "mostly unanswered: a flood, or a backend that is down");
        if (d.protocol == "tcp") {
          ShortenTimeout(f, "tcp_timeout_syn_recv", 60, 10, d.unreplied,
                         "of its half-open entries", &a);
          a.figures.push_back(
              "SYNPROXY in front of the service keeps a flood out of the "
              "table");
        }
      } else {
        a.figures.push_back(
            "a busy service: its entries are answered connections; size the "
            "limit for it (see the recommendation)");
      }
      out->push_back(std::move(a));
    }
  }
  if (m.top_sources && !m.top_sources->items.empty()) {
    const TopItem& s = m.top_sources->items.front();
    if (s.entries >= kLargeShare * total) {
      Advice a;
      a.finding = absl::StrCat("One client holds ", Percent(s.entries, m.total),
                               " of the table: ", s.address, " has ", s.entries,
                               " of ", m.total, " entries, ", s.unreplied,
                               " of them unreplied.");
      const std::string match = absl::StrContains(s.address, ':')
                                    ? absl::StrCat("ip6 saddr ", s.address)
                                    : absl::StrCat("ip saddr ", s.address);
      const bool unanswered = s.unreplied * 2 >= s.entries;
      a.figures.push_back(
          unanswered
              ? "mostly unanswered: a scan, or a flood of connection attempts"
              : "answered connections: a heavy but real client; cap what one "
                "client may hold");
      a.figures.push_back(
          "the rule goes into your firewall's input chain (forward on a "
          "router); as written it assumes a table inet filter with a chain "
          "input");
      a.steps.push_back(
          {Step::Where::kNamespace, false,
           unanswered
               ? absl::StrCat("nft add rule inet filter input ", match,
                              " ct state new limit rate over 50/second drop")
               : absl::StrCat("nft add rule inet filter input ", match,
                              " ct count over ",
                              std::max<uint64_t>(1000, s.entries / 4),
                              " reject")});
      out->push_back(std::move(a));
    }
  }
}

void AdviseDominantStates(const HostFacts& f, const TableMakeup& m,
                          std::vector<Advice>* out) {
  if (m.total < 100) return;
  const uint64_t time_wait = FlowCount(m, "tcp", "time_wait");
  if (time_wait >= kDominates * m.total) {
    const uint64_t tw = f.Timeout("tcp_timeout_time_wait").value_or(120);
    Advice a;
    a.finding = absl::StrCat(
        time_wait, " entries (", Percent(time_wait, m.total),
        ") are TCP TIME_WAIT: connections already closed, kept for "
        "nf_conntrack_tcp_timeout_time_wait (",
        tw, " s). Clients that open a new connection per request make them.");
    ShortenTimeout(f, "tcp_timeout_time_wait", 120, 30, time_wait,
                   "TIME_WAIT entries", &a);
    a.figures.push_back("keep-alive or connection pooling avoids them");
    out->push_back(std::move(a));
  }
  if (m.unreplied >= kDominates * m.total) {
    const uint64_t udp = FlowCount(m, "udp", "unreplied");
    const uint64_t syn_sent = FlowCount(m, "tcp", "syn_sent");
    Advice a;
    a.finding =
        absl::StrCat(m.unreplied, " entries (", Percent(m.unreplied, m.total),
                     ") have never seen a reply: ", udp, " UDP, ", syn_sent,
                     " TCP SYN_SENT.");
    if (udp * 2 >= m.unreplied) {
      ShortenTimeout(f, "udp_timeout", 30, 10, udp, "unreplied UDP entries",
                     &a);
      a.figures.push_back(
          "DNS and other query traffic this host answers itself need no "
          "tracking: a notrack rule frees them all");
    } else if (syn_sent * 2 >= m.unreplied) {
      ShortenTimeout(f, "tcp_timeout_syn_sent", 120, 30, syn_sent,
                     "SYN_SENT entries", &a);
      a.figures.push_back(
          "outgoing connection attempts nobody answers: a scan from this "
          "host, or a destination that drops SYNs");
    }
    out->push_back(std::move(a));
  }
}

}  // namespace

const std::array<WhereInfo, 4>& Wheres() {
  // In the order a report lists them.
  static constexpr std::array<WhereInfo, 4> kWheres = {{
      {Step::Where::kHost, "host", "on the host (initial network namespace)"},
      {Step::Where::kNamespace, "namespace", "in this network namespace"},
      {Step::Where::kBoot, "kernel-command-line", "on the kernel command line"},
      {Step::Where::kKubeProxy, "kube-proxy", "in kube-proxy's configuration"},
  }};
  return kWheres;
}

const WhereInfo& Where(Step::Where where) {
  for (const WhereInfo& w : Wheres()) {
    if (w.where == where) return w;
  }
  return Wheres()[0];
}

std::vector<std::string> Recommendation::RuntimeCommands() const {
  std::vector<std::string> out;
  for (const Step& s : steps) {
    if (!s.persistent) out.push_back(s.text);
  }
  return out;
}

std::vector<std::string> Recommendation::PersistentFiles() const {
  std::vector<std::string> out;
  for (const Step& s : steps) {
    if (s.persistent) out.push_back(s.text);
  }
  return out;
}

absl::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "OK";
    case Verdict::kWarning:
      return "WARNING";
    case Verdict::kCritical:
      return "CRITICAL";
    case Verdict::kUnknown:
      break;
  }
  return "UNKNOWN";
}

uint64_t SeedLimit(uint64_t ram_bytes, int pointer_size) {
  return ram_bytes / 16384 / (pointer_size >= 8 ? 2 : 1);
}

Recommendation Recommend(const HostFacts& f) {
  Recommendation r;
  const uint64_t object_size =
      f.object_size.value_or(kDefaultConntrackObjectSize);
  // Room for twice today's load, and never below the classic rule for this
  // much memory, as a power of two. Never 0: 6.19 rejects it.
  uint64_t wanted = NextPow2(std::max<uint64_t>(
      {2 * f.entries.value_or(0), SeedLimit(f.ram_bytes, f.pointer_size),
       uint64_t{65536}}));
  r.limit_already_enough = f.limit && *f.limit != 0 && *f.limit >= wanted;
  r.limit = r.limit_already_enough ? *f.limit : wanted;
  r.buckets = NextPow2(r.limit);  // 1 : 1, the default since 5.15
  r.memory_bytes = static_cast<double>(r.limit) * object_size +
                   static_cast<double>(r.buckets) * f.pointer_size;
  r.current_memory_bytes =
      static_cast<double>(f.limit.value_or(0)) * object_size +
      static_cast<double>(f.buckets.value_or(0)) * f.pointer_size;
  r.ram_share = f.ram_bytes ? r.memory_bytes / f.ram_bytes : 0;
  r.over_memory_budget = r.ram_share > kMemoryBudget;

  const bool legacy = f.flavor == ConntrackFlavor::kLegacyIpConntrack;
  const std::string module(ModuleName(f.flavor));
  const bool grow_buckets = f.buckets.value_or(0) < r.buckets;
  if (f.netns_initial == false) {
    r.notes.push_back(
        "this is a child network namespace: the limit and the buckets are "
        "global and read-only here; run the host steps on the host");
  }
  if (!r.limit_already_enough) {
    r.steps.push_back({Step::Where::kHost, false,
                       absl::StrCat("sysctl -w ", SysctlName(f.flavor, "max"),
                                    "=", r.limit)});
    if (f.kube_proxy) {
      const int cpus = std::max(f.cpus, 1);
      r.notes.push_back(absl::StrCat(
          "kube-proxy runs here and sets nf_conntrack_max at every start to "
          "max(conntrack.min, conntrack.maxPerCore x CPUs): a sysctl -w "
          "lasts until its next restart; set it in its configuration",
          f.cpus ? absl::StrCat(" (", f.cpus, " CPUs here)") : ""));
      r.steps.push_back(
          {Step::Where::kKubeProxy, true,
           absl::StrCat("conntrack.maxPerCore: ",
                        (r.limit + cpus - 1) / static_cast<uint64_t>(cpus),
                        " (flag --conntrack-max-per-core)")});
      r.steps.push_back({Step::Where::kKubeProxy, true,
                         absl::StrCat("conntrack.min: ", r.limit,
                                      " (flag --conntrack-min)")});
    } else {
      r.steps.push_back(
          {Step::Where::kHost, true,
           absl::StrCat(
               legacy ? "/etc/sysctl.conf" : "/etc/sysctl.d/90-conntrack.conf",
               ": ", SysctlName(f.flavor, "max"), " = ", r.limit)});
    }
  }
  if (grow_buckets) {
    if (!legacy && f.buckets_sysctl_writable) {
      r.steps.push_back(
          {Step::Where::kHost, false,
           absl::StrCat("sysctl -w ", SysctlName(f.flavor, "buckets"), "=",
                        r.buckets)});
    } else {
      r.steps.push_back({Step::Where::kHost, false,
                         absl::StrCat("echo ", r.buckets, " > /sys/module/",
                                      module, "/parameters/hashsize")});
    }
  }
  if (grow_buckets && legacy) {
    r.steps.push_back({Step::Where::kHost, true,
                       absl::StrCat("/etc/modprobe.conf: options ", module,
                                    " hashsize=", r.buckets)});
  } else if (grow_buckets && f.conntrack_builtin == true) {
    r.notes.push_back(absl::StrCat(
        "conntrack is built into this kernel: /etc/modprobe.d does nothing. "
        "Add nf_conntrack.hashsize=",
        r.buckets,
        " to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
        "then update-grub); an explicit hashsize also sets the boot-time "
        "limit to 8 x buckets, so keep the limit's line too"));
    r.steps.push_back({Step::Where::kBoot, true,
                       absl::StrCat("nf_conntrack.hashsize=", r.buckets)});
    if (f.buckets_sysctl_writable) {
      r.steps.push_back(
          {Step::Where::kHost, true,
           absl::StrCat("/etc/sysctl.d/90-conntrack.conf: ",
                        SysctlName(f.flavor, "buckets"), " = ", r.buckets)});
    }
  } else if (grow_buckets) {
    r.steps.push_back(
        {Step::Where::kHost, true,
         absl::StrCat("/etc/modprobe.d/nf_conntrack.conf: options ", module,
                      " hashsize=", r.buckets)});
    if (!f.conntrack_builtin.has_value()) {
      r.notes.push_back(absl::StrCat(
          "whether conntrack is a module or built in could not be told (no ",
          "/sys/module/", module,
          "); if built in, use the kernel command "
          "line nf_conntrack.hashsize=",
          r.buckets, " instead"));
    }
  }
  if (!legacy && f.conntrack_builtin == false &&
      (!r.limit_already_enough || grow_buckets)) {
    // systemd-sysctl runs before a module that loads on first use: its
    // net.netfilter lines would fail silently.
    r.steps.push_back({Step::Where::kHost, true,
                       "/etc/modules-load.d/nf_conntrack.conf: nf_conntrack"});
    r.notes.push_back(
        "nf_conntrack is a module: listing it in /etc/modules-load.d loads it "
        "before systemd-sysctl applies /etc/sysctl.d at boot");
  }
  return r;
}

std::vector<Advice> AdviseOnMakeup(const HostFacts& f) {
  std::vector<Advice> out;
  if (!f.makeup) return out;
  AdviseIdle(f, *f.makeup, &out);
  AdviseLargeShare(f, *f.makeup, &out);
  AdviseDominantStates(f, *f.makeup, &out);
  return out;
}

Diagnosis Diagnose(const HostFacts& f) {
  Diagnosis d;
  if (f.flavor == ConntrackFlavor::kNone) {
    d.reasons.push_back(
        "connection tracking is not loaded: nothing is tracked, so nothing can "
        "fill");
    return d;
  }
  auto raise = [&](Verdict v, std::string reason) {
    d.verdict = std::max(d.verdict, v);
    d.reasons.push_back(std::move(reason));
  };
  // What could not be read comes first: without it no verdict can be OK.
  for (const std::string& what : f.unreadable) {
    d.reasons.push_back(absl::StrCat("could not read ", what));
  }
  const double usage = f.Usage().value_or(0);
  const uint64_t drops = f.Counter("drop");
  if (f.limit && *f.limit == 0) {
    raise(Verdict::kWarning,
          "nf_conntrack_max is 0: no limit (kernels up to 6.18), the table "
          "grows until memory runs out");
  } else if (f.Usage() && usage >= 0.9) {
    raise(Verdict::kCritical,
          absl::StrCat("the table is ", Percent(usage), " full (", *f.entries,
                       " of ", *f.limit, "): drops are imminent"));
  } else if (f.Usage() && usage >= 0.75) {
    raise(Verdict::kWarning,
          absl::StrCat("the table is ", Percent(usage), " full (", *f.entries,
                       " of ", *f.limit, ")"));
  }
  if (drops > 0) {
    const bool full = usage >= 0.95 || f.table_full_lines > 0;
    const bool now = usage >= 0.9 || f.table_full_lines > 0;
    raise(now ? Verdict::kCritical : Verdict::kWarning,
          full ? absl::StrCat("the kernel dropped ", drops,
                              " packets (drop counter, since conntrack loaded) "
                              "with the table full")
               : absl::StrCat(
                     "the kernel dropped ", drops,
                     " packets (drop counter, since conntrack loaded) but the "
                     "table is ",
                     Percent(usage),
                     " full: not for a full table now, but a failed "
                     "allocation or packets a protocol tracker refused "
                     "(invalid: ",
                     f.Counter("invalid"),
                     "); check memory and the invalid counter"));
  }
  if (f.table_full_lines > 0) {
    raise(Verdict::kCritical,
          absl::StrCat(
              "the kernel log holds ", f.table_full_lines,
              " recent 'table full' line(s); the last: ", f.last_table_full));
  }
  if (!f.table_full_caveat.empty()) {
    d.reasons.push_back(absl::StrCat("note: ", f.table_full_caveat));
  }
  if (uint64_t early = f.Counter("early_drop")) {
    raise(
        Verdict::kWarning,
        absl::StrCat(early, " entries were evicted to make room (early_drop)"));
  }
  if (uint64_t failed = f.Counter("insert_failed")) {
    raise(Verdict::kWarning,
          absl::StrCat(failed, " inserts failed (insert_failed; ",
                       f.Counter("chaintoolong"),
                       " of them for a hash chain too long)"));
  }
  if (f.entries && f.buckets && *f.buckets > 0) {
    double chain = 2.0 * *f.entries / *f.buckets;
    if (chain > 8) {
      raise(Verdict::kWarning,
            absl::StrFormat("mean hash chain length is %.1f (above 8): too "
                            "few buckets",
                            chain));
    }
  }
  d.recommendation = Recommend(f);
  if (d.recommendation->over_memory_budget) {
    d.reasons.push_back(
        absl::StrCat("note: a full table at the recommended limit costs ",
                     FormatMiB(d.recommendation->memory_bytes), ", ",
                     Percent(d.recommendation->ram_share),
                     " of RAM (more than ", Percent(kMemoryBudget), ")"));
  }
  d.advice = AdviseOnMakeup(f);
  if (!f.counters_read) {
    d.reasons.push_back(absl::StrCat(
        "whether packets were dropped is unknown: the drop counters are ",
        f.counters_note));
  }
  if (!f.unreadable.empty()) {
    // A check must never say OK about data it could not read.
    if (d.verdict == Verdict::kOk) d.verdict = Verdict::kUnknown;
  } else if (d.verdict == Verdict::kOk) {
    d.reasons.push_back(absl::StrCat("the table is ", Percent(usage),
                                     " full and nothing was dropped"));
  }
  return d;
}

}  // namespace nfce

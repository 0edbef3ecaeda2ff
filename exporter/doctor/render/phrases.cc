// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/render/phrases.h"

#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "exporter/doctor/render/format.h"

namespace nfce {
namespace {

namespace fd = finding;

std::string FactName(const HostFacts::Missing& m) {
  const std::string source =
      m.source.empty() ? "" : absl::StrCat(" (", m.source, ")");
  if (m.fact == "entries") return absl::StrCat("the entries", source);
  if (m.fact == "limit") return absl::StrCat("the limit", source);
  if (m.fact == "drop_counters") return "the drop counters";
  if (m.fact == "kernel_log") return "the kernel log";
  return m.fact + source;
}

std::string Lines(int n) {
  return absl::StrCat(n, " recent 'table full' line(s)");
}

std::string UsageText(const fd::Usage& u) {
  return absl::StrCat("the table is ", Percent(u.usage), " full (", u.entries,
                      " of ", u.limit, ")");
}

std::string ShortenLine(const fd::Shorten& s) {
  return absl::StrCat("nf_conntrack_", s.sysctl, " ", s.from, " -> ", s.to,
                      " s: about ", s.scaled, " ", s.what, " at the same rate");
}

std::string Text(const fd::NotLoaded&) {
  return "connection tracking is not loaded: nothing is tracked, so nothing "
         "can fill";
}
std::string Text(const fd::Unreadable& d) {
  return absl::StrCat("could not read ",
                      MissingText({d.fact, d.error, d.source}));
}
std::string Text(const fd::NoLimit&) {
  return "nf_conntrack_max is 0: no limit (kernels up to 6.18), the table "
         "grows until memory runs out";
}
std::string Text(const fd::TableCritical& d) {
  if (d.evictable && *d.evictable > 0) {
    return absl::StrCat(UsageText(d), ": new connections evict the ",
                        *d.evictable,
                        " entries that are not assured (early_drop) until none "
                        "is left");
  }
  return absl::StrCat(UsageText(d), ": drops are imminent");
}
std::string Text(const fd::FullOfAssured& d) {
  return absl::StrCat(
      d.assured, " assured entries fill ", Percent(d.share), " of the limit (",
      d.limit,
      "): the kernel never evicts them, so a full table drops new "
      "connections; raise the limit, or shorten the timeouts of what stays");
}
std::string Text(const fd::TableNearlyFull& d) { return UsageText(d); }
std::string Text(const fd::DropsTableFull& d) {
  return absl::StrCat("the kernel dropped ", d.drops,
                      " packets (drop counter, since conntrack loaded) with "
                      "the table full");
}
std::string Text(const fd::DropsNotFull& d) {
  const std::string head = absl::StrCat(
      "the kernel dropped ", d.drops,
      " packets (drop counter, since conntrack loaded) but the table is ",
      Percent(d.usage), " full: not for a full table now");
  if (d.insert_failed > d.chaintoolong) {
    return absl::StrCat(
        head, "; ", d.insert_failed - d.chaintoolong,
        " inserts clashed (insert_failed less chaintoolong): source NAT "
        "without a free port for one destination, or parallel UDP queries "
        "racing for one entry");
  }
  if (d.chaintoolong > 0) {
    return absl::StrCat(head, "; ", d.chaintoolong,
                        " inserts met a hash chain too long (chaintoolong)");
  }
  return absl::StrCat(head,
                      ", but a failed allocation or packets a protocol "
                      "tracker refused (invalid: ",
                      d.invalid, "); check memory and the invalid counter");
}
std::string Text(const fd::KernelLogTableFull& d) {
  return absl::StrCat("the kernel log holds ", Lines(d.lines),
                      "; the last: ", d.last);
}
std::string Text(const fd::KernelLogNotCounted& d) {
  return absl::StrCat(
      Lines(d.lines),
      d.unnamed ? " do not name their network namespace (kernels before 6.17)"
                : " name this network namespace's inode",
      ", but its drop counter is 0: they come from another namespace (a "
      "deleted one whose inode number was reused, or a sibling), not counted");
}
std::string Text(const fd::KernelLogUnverified& d) {
  return absl::StrCat(
      Lines(d.lines),
      " cannot be checked against the drop counter (unavailable): they may "
      "come from another namespace",
      d.unnamed ? " (before 6.17 a line does not name its own)"
                : " (namespace inodes are reused)");
}
std::string Text(const fd::KernelLogUnnamed&) {
  return "before 6.17 a 'table full' line does not name its network "
         "namespace; this namespace's drop counter is above 0, so they are "
         "counted";
}
std::string Text(const fd::EarlyDrops& d) {
  return absl::StrCat(d.early_drop,
                      " entries were evicted to make room (early_drop)");
}
std::string Text(const fd::InsertFailures& d) {
  return absl::StrCat(d.insert_failed, " inserts failed (insert_failed; ",
                      d.chaintoolong, " of them for a hash chain too long)");
}
std::string Text(const fd::HashChainsLong& d) {
  return absl::StrFormat(
      "mean hash chain length is %.1f (above %g): too few buckets",
      d.chain_length, d.threshold);
}
std::string Text(const fd::RecommendationCostly& d) {
  return absl::StrCat("a full table at the recommended limit costs ",
                      FormatMiB(d.memory_bytes), ", ", Percent(d.ram_share),
                      " of RAM (more than ", Percent(d.budget), ")");
}
std::string Text(const fd::DropsUnknown& d) {
  return absl::StrCat(
      "whether packets were dropped is unknown: the drop counters are ",
      d.counters_note);
}
std::string Text(const fd::TableOk& d) {
  return absl::StrCat("the table is ", Percent(d.usage),
                      " full and nothing was dropped");
}
std::string Text(const fd::ChildNamespace&) {
  return "this is a child network namespace: the limit and the buckets are "
         "global and read-only here; run the host steps on the host";
}
std::string Text(const fd::KubeProxyOwnsLimit& d) {
  return absl::StrCat(
      "kube-proxy runs here and sets nf_conntrack_max at every start to "
      "max(conntrack.min, conntrack.maxPerCore x CPUs): a sysctl -w lasts "
      "until its next restart; set it in its configuration",
      d.cpus ? absl::StrCat(" (", d.cpus, " CPUs here)") : "");
}
std::string Text(const fd::BuiltinHashsize& d) {
  return absl::StrCat(
      "conntrack is built into this kernel: /etc/modprobe.d does nothing. Add "
      "nf_conntrack.hashsize=",
      d.buckets,
      " to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
      "then update-grub); an explicit hashsize also sets the boot-time limit "
      "to 8 x buckets, so keep the limit's line too");
}
std::string Text(const fd::ModuleOrBuiltinUnknown& d) {
  return absl::StrCat(
      "whether conntrack is a module or built in could not be told (no /sys"
      "/module/",
      d.module,
      "); if built in, use the kernel command line nf_conntrack.hashsize=",
      d.buckets, " instead");
}
std::string Text(const fd::ModuleLoadOrder&) {
  return "nf_conntrack is a module: listing it in /etc/modules-load.d loads "
         "it before systemd-sysctl applies /etc/sysctl.d at boot";
}
std::string Text(const fd::IdleEstablished& d) {
  return absl::StrCat(
      d.idle_long, " established TCP entries (", Percent(d.idle_long, d.total),
      " of the table) have been idle for more than 10 h: peers that vanished "
      "without FIN or RST. nf_conntrack_tcp_timeout_established is ",
      d.timeout, " s (", Duration(d.timeout), "); at ", d.pick, " s these ",
      d.freed,
      " entries would have expired already. Lowering it stops them piling "
      "up; ",
      d.delete_now
          ? absl::StrCat("deleting the ones idle longer frees ", d.freed,
                         " entries now.")
          : absl::StrCat("the ones idle now expire on their own timers, "
                         "within ",
                         Duration(d.timeout), "."));
}
std::string Text(const fd::DominantService& d) {
  return absl::StrCat(
      "One service holds ", Percent(d.entries, d.total),
      d.error ? " or more" : "", " of the table: ", d.address, " ", d.protocol,
      d.port.empty() ? "" : absl::StrCat("/", d.port), " has ",
      AtLeast(d.entries, d.error), " of ", d.total, " entries, ",
      AtLeast(d.unreplied, d.error), " of them unreplied.");
}
std::string Text(const fd::DominantClient& d) {
  return absl::StrCat("One client holds ", Percent(d.entries, d.total),
                      d.error ? " or more" : "", " of the table: ", d.address,
                      " has ", AtLeast(d.entries, d.error), " of ", d.total,
                      " entries, ", AtLeast(d.unreplied, d.error),
                      " of them unreplied.");
}
std::string Text(const fd::TimeWaitDominates& d) {
  return absl::StrCat(
      d.time_wait, " entries (", Percent(d.time_wait, d.total),
      ") are TCP TIME_WAIT: connections already closed, kept for "
      "nf_conntrack_tcp_timeout_time_wait (",
      d.timeout,
      " s). Clients that open a new connection per request make them.");
}
std::string Text(const fd::SnatPortsExhausted& d) {
  return absl::StrCat(
      "source NAT runs out of ports: ", AtLeast(d.in_use, d.error), " of ",
      d.available, " (", Percent(d.share), ") toward ", d.destination, " ",
      d.protocol, d.port.empty() ? "" : absl::StrCat("/", d.port), " from ",
      d.nat_address,
      " are in use; a new connection to it fails at insert when none is free "
      "(insert_failed, drop)");
}
std::string Text(const fd::ExpectNearlyFull& d) {
  return absl::StrCat(
      "the expectation table is ", Percent(d.usage), " full (", d.entries,
      " of nf_conntrack_expect_max ", d.limit,
      "): when it is full, helpers (FTP, SIP, H.323...) cannot announce "
      "their data connections, and those fail while the conntrack table "
      "looks healthy");
}
std::string Text(const fd::KernelLogExpectFull& d) {
  const std::string head = absl::StrCat(
      "the kernel log holds ", d.lines,
      " recent 'expectation table full' line(s); the last: ", d.last);
  if (d.here) {
    return absl::StrCat(head,
                        ": helpers' data connections failed here in the last "
                        "hour");
  }
  return absl::StrCat(
      head, "; they name no network namespace and this one's expectations are ",
      d.usage ? absl::StrCat(Percent(*d.usage), " of the limit")
              : std::string("unknown"),
      ": perhaps another namespace's, not counted");
}
std::string Text(const fd::UnrepliedDominates& d) {
  return absl::StrCat(d.unreplied, " entries (", Percent(d.unreplied, d.total),
                      ") have never seen a reply: ", d.udp, " UDP, ",
                      d.syn_sent, " TCP SYN_SENT.");
}

// Figures: only advice has them.
template <typename T>
std::vector<std::string> More(const T&) {
  return {};
}
std::vector<std::string> More(const fd::IdleEstablished& d) {
  std::vector<std::string> out;
  for (const auto& c : d.candidates) {
    out.push_back(absl::StrCat("timeout ", c.timeout, " s (",
                               Duration(c.timeout), "): ", c.expired, " of ",
                               d.established,
                               " established entries would have expired "
                               "already"));
  }
  out.push_back(absl::StrCat(
      "a new timeout applies to an entry at its next packet: entries whose "
      "peers are gone keep their expiry (up to ",
      Duration(d.timeout), ")",
      d.delete_now
          ? "; hence the delete command (conntrack-tools 1.4.6+ for -R; "
            "IPv4, for IPv6 add -f ipv6 to -L and to each -D)"
          : absl::StrCat("; deleting ", d.freed,
                         " one by one would make conntrack walk the ", d.total,
                         "-entry table ", d.freed,
                         " times: conntrack -F, which flushes every entry "
                         "(in a maintenance window), is the quick way")));
  out.push_back(
      "a connection silent for longer than the timeout is forgotten; with "
      "nf_conntrack_tcp_loose=1 (the default) its next packet tracks it "
      "again, but NAT or stateful rules may cut it");
  if (d.excluded) {
    out.push_back(absl::StrCat(d.excluded,
                               " established entries with a timeout of their "
                               "own are left out of these figures"));
  }
  if (d.kube_proxy) {
    out.push_back(
        "kube-proxy sets this timeout at every start: change its "
        "configuration, or the sysctl is reset");
  }
  return out;
}
std::vector<std::string> More(const fd::DominantService& d) {
  std::vector<std::string> out;
  if (d.kind == "dns") {
    out.push_back(absl::StrCat(
        "DNS: every query is a new UDP entry that lives for "
        "nf_conntrack_udp_timeout (",
        d.udp_timeout,
        " s) unreplied, or the stream timeout once answered; a resolver on "
        "this host does not need tracking"));
    out.push_back(absl::StrCat(
        "notrack for port 53 frees all ", d.entries,
        " (not for DNS that is NATed through this host, and stateful rules "
        "must then accept untracked packets)"));
    out.push_back(absl::StrCat("or nf_conntrack_udp_timeout ", d.udp_timeout,
                               " -> 10 s: about ", d.udp_scaled, " of its ",
                               d.unreplied,
                               " unreplied entries at the same query rate"));
  } else if (d.kind == "unanswered") {
    const bool tcp = d.protocol == "tcp";
    out.push_back(tcp ? "mostly unanswered connection attempts: a SYN flood, "
                        "or a backend that is down"
                      : "mostly unanswered: a flood, or a backend that is "
                        "down");
    if (d.shorten) out.push_back(ShortenLine(*d.shorten));
    if (tcp) {
      out.push_back(
          "SYNPROXY in front of the service keeps a flood out of the table");
    }
  } else {
    out.push_back(
        "a busy service: its entries are answered connections; size the "
        "limit for it (see the recommendation)");
  }
  return out;
}
std::vector<std::string> More(const fd::DominantClient& d) {
  return {d.unanswered
              ? "mostly unanswered: a scan, or a flood of connection attempts"
              : "answered connections: a heavy but real client; cap what one "
                "client may hold",
          "the rule goes into your firewall's input chain (forward on a "
          "router); as written it assumes a table inet filter with a chain "
          "input"};
}
std::vector<std::string> More(const fd::TimeWaitDominates& d) {
  std::vector<std::string> out;
  if (d.shorten) out.push_back(ShortenLine(*d.shorten));
  out.push_back("keep-alive or connection pooling avoids them");
  return out;
}
std::vector<std::string> More(const fd::FullOfAssured&) {
  return {
      "established TCP entries idle for days are connections whose peers "
      "vanished: a day's established timeout frees them",
      "assured UDP runs on nf_conntrack_udp_timeout_stream"};
}
std::vector<std::string> More(const fd::SnatPortsExhausted& d) {
  std::vector<std::string> out = {
      absl::StrCat("each connection to ", d.destination, " ", d.protocol,
                   d.port.empty() ? "" : absl::StrCat("/", d.port),
                   " through this NAT holds one source port of ", d.nat_address,
                   " until its entry expires"),
      absl::StrCat("more source addresses: snat to a range of addresses (nft: "
                   "snat ip to A-B; iptables: --to-source A-B) adds ",
                   d.available, " ports for each address"),
      "random-fully on the masquerade or snat rule (nft: masquerade "
      "random-fully; iptables: -j MASQUERADE --random-fully) picks ports at "
      "random and avoids the clash of two flows racing for one"};
  if (d.shorten) out.push_back(ShortenLine(*d.shorten));
  if (d.protocol == "tcp") {
    out.push_back(
        "reuse connections (keep-alive, pooling): each new one holds a port "
        "for its life and its TIME_WAIT");
  }
  if (d.port == "53" && d.kube_proxy) {
    out.push_back(
        "Kubernetes: NodeLocal DNSCache answers the pods on the node and "
        "keeps a few connections upstream");
  }
  if (d.error > 0) {
    out.push_back(absl::StrCat(
        "the ports in use are a range of ", d.error,
        ": more tuples than the top list's sketch holds; judged at the least"));
  }
  return out;
}
std::vector<std::string> ExpectMore() {
  return {
      "conntrack -L expect lists the expectations, each with the helper "
      "that made it; nft list ruleset | grep 'ct helper' shows which "
      "traffic is given a helper",
      "a helper on traffic that does not need it (ftp on a port that "
      "carries no FTP) is better removed than given a larger table",
      "nf_conntrack_expect_max is one limit for every namespace, set only "
      "from the initial namespace; each namespace may hold that many "
      "expectations (about 200 bytes each)"};
}
std::vector<std::string> More(const fd::ExpectNearlyFull&) {
  return ExpectMore();
}
std::vector<std::string> More(const fd::KernelLogExpectFull& d) {
  if (!d.here) return {};
  return ExpectMore();
}
std::vector<std::string> More(const fd::UnrepliedDominates& d) {
  std::vector<std::string> out;
  if (d.shorten) out.push_back(ShortenLine(*d.shorten));
  if (d.kind == "udp") {
    out.push_back(
        "DNS and other query traffic this host answers itself need no "
        "tracking: a notrack rule frees them all");
  } else if (d.kind == "syn_sent") {
    out.push_back(
        "outgoing connection attempts nobody answers: a scan from this host, "
        "or a destination that drops SYNs");
  }
  return out;
}

}  // namespace

std::string WorkloadText(const NetnsName& n) {
  std::string who;
  if (!n.pod_uid.empty()) {
    who = absl::StrCat("pod ", n.hostname.empty() ? n.pod_uid : n.hostname);
  } else if (!n.container_id.empty()) {
    who = absl::StrCat(
        "container ", n.container_id.substr(0, 12),
        n.hostname.empty() ? "" : absl::StrCat(" (", n.hostname, ")"));
  }
  return absl::StrCat(who, who.empty() ? "" : ", ", "netns ", n.netns);
}

std::string MissingText(const HostFacts::Missing& m) {
  return absl::StrCat(FactName(m), ": ", m.error);
}

std::string Headline(const Finding& f) {
  return std::visit([](const auto& d) { return Text(d); }, f.details);
}

std::string ReasonText(const Finding& f) {
  const bool aside =
      f.As<fd::KernelLogNotCounted>() || f.As<fd::KernelLogUnverified>() ||
      f.As<fd::KernelLogUnnamed>() || f.As<fd::RecommendationCostly>();
  return aside ? absl::StrCat("note: ", Headline(f)) : Headline(f);
}

std::vector<std::string> Figures(const Finding& f) {
  return std::visit([](const auto& d) { return More(d); }, f.details);
}

}  // namespace nfce

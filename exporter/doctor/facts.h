// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collectors/kernel/kernel_log.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/kernel/stat_reader.h"
#include "collectors/makeup/table_makeup.h"
#include "collectors/netns.h"

namespace nfce {

// What the doctor knows of a host, read through the kernel view. Gathered
// once, then judged by pure functions (Diagnose), so that the judgement can
// be tested on any numbers.
struct HostFacts {
  ConntrackFlavor flavor = ConntrackFlavor::kNone;
  std::string kernel_release;
  uint64_t ram_bytes = 0;
  int pointer_size = sizeof(void*);
  int cpus = 0;                     // 0: unknown
  std::optional<uint64_t> entries;  // nullopt: nf_conntrack_count unreadable
  std::optional<uint64_t> limit;    // nullopt: nf_conntrack_max unreadable
  std::optional<uint64_t> buckets;
  // drop, early_drop, insert_failed, chaintoolong, clash_resolve, ...
  bool counters_read = false;
  std::map<std::string, uint64_t> counters;
  std::string counters_note;  // where they came from, or why they are missing
  std::optional<uint64_t> object_size;  // nullopt: slab unreadable
  std::optional<uint64_t> slab_bytes;
  // Timeout sysctls by name without the prefix ("tcp_timeout_established").
  std::map<std::string, uint64_t> timeouts;

  // Where a fix can be applied.
  std::optional<bool> netns_initial;
  std::optional<bool> conntrack_builtin;
  bool buckets_sysctl_writable = false;
  bool kube_proxy = false;

  // What fills the table, from one dump (nullopt: not dumped, see the note).
  std::optional<TableMakeup> makeup;
  std::string makeup_note;
  // Source ports one source-NAT tuple can use (--snat-ports).
  int snat_ports = kKernelSnatPorts;

  // The host's network namespaces and who lives in each (nullopt: not
  // named, see the note), to name what the make-up lists.
  std::optional<std::vector<NetnsName>> namespaces;
  std::string namespaces_note;
  // The namespace an address is configured in; null if none is known.
  const NetnsName* NamespaceOf(const std::string& address) const;

  // The expectation table: nf_conntrack_expect_max (nullopt: the kernel has
  // none, or unreadable) and this namespace's expectations, with where
  // they were read or why not.
  std::optional<uint64_t> expect_limit;
  std::optional<uint64_t> expect_entries;
  std::string expect_note;
  std::optional<double> ExpectUsage() const;

  // The kernel log's recent "table full" lines that can be this
  // namespace's (nullopt: not read, see the note); whether they count is
  // the judgement's.
  std::optional<TableFullLines> kernel_log;
  std::string kernel_log_note;

  // Facts the verdict needs that could not be read, with why: the doctor
  // then says UNKNOWN rather than OK (a check must not vouch for data it
  // could not read).
  struct Missing {
    std::string fact;  // entries, limit, drop_counters, kernel_log
    std::string error;
    std::string source = {};  // the sysctl it comes from, where one does
  };
  std::vector<Missing> unreadable;

  // entries / limit; nullopt when either is unknown or the limit is 0.
  std::optional<double> Usage() const;
  uint64_t Counter(const std::string& name) const;
  std::optional<uint64_t> Timeout(const std::string& name) const;
};

struct GatherOptions {
  // Dump the table through ctnetlink for its make-up (needs CAP_NET_ADMIN
  // and the running kernel).
  bool dump_flows = true;
  // The counters' source and wrap state: the stat collector's inside the
  // exporter (so the status page and /metrics agree), a fresh one for the
  // doctor on its own (raw sums: it has no earlier reading).
  StatOptions stat;
  // Where given, read through this (which keeps its place in the log);
  // else the view's kernel log is read once, if it names one.
  KernelLog* kernel_log = nullptr;
  // The kernel log was named by the user: unreadable, it is a fact missing
  // (by default /dev/kmsg is often closed to users: only a note).
  bool kernel_log_required = false;
  int snat_ports = kKernelSnatPorts;
  // Name the host's network namespaces (setns(): CAP_SYS_ADMIN, the running
  // kernel), at most this many; 0: not.
  int name_namespaces = 0;
};

// Reads everything it can; what it cannot read it notes, never fails.
HostFacts GatherFacts(const KernelView& view, const GatherOptions& options);

}  // namespace nfce

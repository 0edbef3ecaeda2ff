// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "collectors/module.h"
#include "collectors/paths.h"
#include "collectors/stat.h"
#include "collectors/table_makeup.h"
#include "exporter/doctor/kernel_log.h"

namespace nfce {

// What `nf_conntrack_exporter doctor` knows of a host. Gathered once, then
// judged by pure functions, so the judgement can be tested on any numbers.
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

  // Where a fix can be applied. The limit and the buckets are global and can
  // be changed only from the initial network namespace.
  std::optional<bool> netns_initial;
  // Built into the kernel (no module to pass options to) or a module.
  std::optional<bool> conntrack_builtin;
  // net.netfilter.nf_conntrack_buckets can be written on the host (4.8+).
  bool buckets_sysctl_writable = false;
  // A kube-proxy process is visible: it rewrites the sysctls at every start.
  bool kube_proxy = false;

  // What fills the table, from one dump (nullopt: not dumped, see the note).
  std::optional<TableMakeup> makeup;
  std::string makeup_note;

  bool kernel_log_read = false;
  std::string kernel_log_note;    // why it could not be read
  int table_full_lines_seen = 0;  // recent lines that name this namespace
  int table_full_lines = 0;       // of those, the ones that count here
  std::string table_full_caveat;  // why seen lines were not counted, or may
                                  // not belong here
  std::string last_table_full;

  // Facts the verdict needs that could not be read, with why: the doctor
  // then says UNKNOWN rather than OK (a check must not vouch for data it
  // could not read).
  std::vector<std::string> unreadable;

  // entries / limit; nullopt when either is unknown or the limit is 0.
  std::optional<double> Usage() const;
  uint64_t Counter(const std::string& name) const;
  std::optional<uint64_t> Timeout(const std::string& name) const;
};

struct DoctorOptions {
  Paths paths;
  std::string kernel_log = "/dev/kmsg";  // "" skips it
  bool kernel_log_given = false;  // named with --kernel-log= (not skipped)
  // Where given, read through this (which keeps its place in the log)
  // instead of reading `kernel_log` whole.
  KernelLog* kernel_log_reader = nullptr;
  bool json = false;
  // Dump the table through ctnetlink for its make-up (needs CAP_NET_ADMIN
  // and the real /proc).
  bool dump_flows = true;
  // The counters' source and wrap state: the stat collector's inside the
  // exporter (so the status page and /metrics agree), a fresh one for the
  // doctor on its own (raw sums: it has no earlier reading).
  StatOptions stat;
};

// Reads everything it can; what it cannot read it notes, never fails.
HostFacts GatherFacts(const DoctorOptions& options);

}  // namespace nfce

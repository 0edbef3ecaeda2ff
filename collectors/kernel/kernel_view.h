// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collectors/kernel/file_reader.h"
#include "collectors/kernel/flavor.h"
#include "collectors/kernel/netlink_socket.h"
#include "collectors/kernel/paths.h"
#include "collectors/parse/flow_parser.h"
#include "collectors/parse/ifaddr.h"
#include "collectors/parse/slab_parser.h"
#include "collectors/parse/stat_parser.h"
#include "collectors/parse/timeout_name.h"

namespace nfce {

// The table's size.
struct TableLimits {
  uint64_t limit = 0;  // 0 means "no limit" on kernels up to 6.18
  // Separate status: hashsize is root-only, and buckets may be unreadable
  // while count and max are fine.
  absl::StatusOr<uint64_t> buckets = uint64_t{0};
};

// One timeout sysctl: nf_conntrack_<suffix>, e.g. "tcp_timeout_established".
struct TimeoutSysctl {
  std::string suffix;
  TimeoutKey key;
  uint64_t seconds = 0;
};
struct TimeoutSysctls {
  std::vector<TimeoutSysctl> values;  // those that could be read, by name
  absl::Status status;                // the first that could not
};

// Where the counters (or the expectations) are read from.
enum class StatSource {
  kAuto,     // the proc file where it exists, ctnetlink otherwise
  kProcfs,   // only the proc file (<procfs>/net/stat/nf_conntrack, ...)
  kNetlink,  // only ctnetlink (needs CAP_NET_ADMIN)
};
absl::StatusOr<StatSource> ParseStatSource(absl::string_view text);

// Where a fix can be applied: read-only tells that work on fixture trees.
struct HostKind {
  // The limit and the buckets are global and can be changed only from the
  // initial network namespace.
  std::optional<bool> netns_initial;
  // Built into the kernel (no module to pass options to) or a module.
  std::optional<bool> conntrack_builtin;
  // net.netfilter.nf_conntrack_buckets can be written on the host (4.8+).
  bool buckets_sysctl_writable = false;
  // A kube-proxy process is visible: it rewrites the sysctls at every start.
  bool kube_proxy = false;
};

struct HostInfo {
  std::string kernel_release;  // "" if unreadable
  uint64_t ram_bytes = 0;      // 0 if unreadable
  int cpus = 0;                // 0 if unreadable
};

// A network namespace of the host.
struct NetnsRef {
  std::string label;  // the name under /run/netns, else the inode
  std::string path;   // a file that setns() accepts
  ino_t inode = 0;
  int pid = 0;  // the lowest process that lives in it; 0: none (named only)
};

// What a namespace says of itself, read inside it (NetnsIdentities).
struct NetnsIdentity {
  // The UTS hostname of its process (a pod's is the pod's name).
  std::string hostname;
  std::string cgroup;  // the text of /proc/<pid>/cgroup
  // Addresses of global or site scope (not loopback, not link-local).
  std::vector<InterfaceAddress> addresses;
  bool addresses_cut = false;  // more than the cap
  absl::Status status;         // what could not be read, if anything
};

// The one reader of kernel state: every file under --path.procfs and
// --path.sysfs, the kernel log, and ctnetlink. The scraper, the collectors,
// the doctor and the status page all read through one of these; parsing is
// left to the pure functions of collectors/parse/. Thread-safe.
//
// Pseudo files are kept open between reads (see FileCache): reading a
// sysctl through a kept descriptor is most of what a scrape costs.
class KernelView {
 public:
  explicit KernelView(Paths paths);
  KernelView(const KernelView&) = delete;
  KernelView& operator=(const KernelView&) = delete;

  const Paths& paths() const { return paths_; }

  // Whether procfs is a mounted proc file system (the running kernel's;
  // /host/proc in a container) rather than a tree of files. Decided once:
  // ctnetlink and setns() speak for the running kernel only.
  bool running_kernel() const { return running_kernel_; }

  // --- the table (kernel_view.cc)
  // Which conntrack is loaded: the count sysctl exists. nf_conntrack wins
  // where both names exist (PROC_COMPAT kernels show the initial netns under
  // the legacy names). `count`, if given, gets what the read gave.
  ConntrackFlavor Detect(absl::StatusOr<uint64_t>* count = nullptr) const;
  absl::StatusOr<uint64_t> Count(ConntrackFlavor flavor) const;
  absl::StatusOr<uint64_t> Limit(ConntrackFlavor flavor) const;
  // The limit, and buckets from the sysctl or, where that is absent (old
  // kernels), from the module's hashsize parameter.
  absl::StatusOr<TableLimits> Limits(ConntrackFlavor flavor) const;
  // Every per-protocol timeout sysctl.
  TimeoutSysctls Timeouts(ConntrackFlavor flavor) const;
  std::optional<uint64_t> TimeoutSeconds(ConntrackFlavor flavor,
                                         absl::string_view suffix) const;
  // The path of a conntrack sysctl, for messages.
  std::string SysctlPath(ConntrackFlavor flavor,
                         absl::string_view suffix) const;
  // Its name: nf_conntrack_count, or ip_conntrack_count on the legacy one.
  std::string SysctlName(ConntrackFlavor flavor,
                         absl::string_view suffix) const;

  // --- the per-CPU counters (view_stat.cc)
  // From the source asked for (auto: the proc file where it exists,
  // ctnetlink otherwise); `used` names the one used ("procfs" or
  // "ctnetlink"). `file_generation`, if given, changes whenever the proc file
  // had to be opened afresh (the kernel recreated it: a module reload).
  absl::StatusOr<StatSnapshot> ReadStat(ConntrackFlavor flavor,
                                        StatSource source,
                                        absl::string_view* used,
                                        uint64_t* file_generation) const;
  std::string StatFile(ConntrackFlavor flavor) const;

  // --- the expectation table (view_expect.cc)
  // This namespace's expectations: the lines of /proc/net/nf_conntrack_expect
  // or, where that is absent (auto) or asked for, a ctnetlink expectation
  // dump. `used` names the source ("procfs" or "ctnetlink").
  absl::StatusOr<uint64_t> ExpectEntries(ConntrackFlavor flavor,
                                         StatSource source,
                                         absl::string_view* used) const;
  // nf_conntrack_expect_max; NotFound on kernels without it.
  absl::StatusOr<uint64_t> ExpectLimit(ConntrackFlavor flavor) const;
  std::string ExpectFile(ConntrackFlavor flavor) const;

  // --- slab memory (view_slab.cc)
  // SLUB's /sys/kernel/slab/<cache> where it exists, else the conntrack
  // rows of /proc/slabinfo; each with the kernel's page size.
  absl::StatusOr<std::vector<SlabCache>> SlabCaches() const;

  // --- the host (view_host.cc)
  HostInfo Host() const;
  HostKind ReadHostKind(ConntrackFlavor flavor,
                        absl::string_view kernel_release) const;
  std::optional<double> UptimeSeconds() const;
  // The inode of this process's network namespace ("" if unknown): kernel
  // log lines name it since 6.17.
  std::string OwnNetnsInode() const;

  // --- ctnetlink (view_netlink.cc)
  // OK when ctnetlink may be asked: this is the running kernel and conntrack
  // is loaded in this process's namespace (any ctnetlink request can make
  // the kernel load modules, and the exporter never does that).
  absl::Status NetlinkReady() const;
  // Whether reading the counters (the expectations) from `source` asks
  // ctnetlink, and so needs CAP_NET_ADMIN: always for kNetlink; for kAuto
  // where the proc file is absent, or while conntrack is not loaded (it may
  // come without the file). Never on a tree of files.
  bool StatNeedsNetlink(StatSource source) const;
  bool ExpectNeedsNetlink(StatSource source) const;
  // Dumps this namespace's table, handing each entry to `visit`.
  absl::Status DumpConntrack(absl::FunctionRef<void(const FlowKey&)> visit,
                             absl::Time deadline) const;
  // A socket subscribed to new and destroy events.
  absl::StatusOr<NetlinkSocket> SubscribeConntrackEvents(
      int buffer_bytes) const;

  // --- network namespaces (view_netns.cc)
  // Those named in run_netns and those of running processes, once each (by
  // inode), named ones first, then by inode.
  std::vector<NetnsRef> NetworkNamespaces() const;
  // The count of each, read inside it from a short-lived thread that joins
  // it with setns(): this process's threads never change namespace.
  std::vector<absl::StatusOr<uint64_t>> CountsInside(
      const std::vector<NetnsRef>& namespaces) const;
  // The hostname, cgroup and addresses (at most `max_addresses`) of each,
  // read the same way: an RTM_GETADDR dump inside it, uname() inside its
  // process's UTS namespace. Needs CAP_SYS_ADMIN.
  std::vector<NetnsIdentity> NetnsIdentities(
      const std::vector<NetnsRef>& namespaces, size_t max_addresses) const;

 private:
  // A sysctl or sysfs attribute holding one number; errors name the file.
  absl::StatusOr<uint64_t> ReadUint(const std::string& path) const;
  std::string SysctlDir(ConntrackFlavor flavor) const;
  // Why ctnetlink and namespaces cannot be asked for a tree of files.
  std::string NotRunningKernel() const;
  bool NeedsNetlink(StatSource source,
                    std::string (KernelView::*proc_file)(ConntrackFlavor)
                        const) const;
  std::string SysctlPrefix(ConntrackFlavor flavor) const;
  uint64_t PageSize() const;

  const Paths paths_;
  const bool running_kernel_;
  mutable FileCache files_;
  mutable absl::once_flag page_size_once_;
  mutable uint64_t page_size_ = 0;
};

}  // namespace nfce

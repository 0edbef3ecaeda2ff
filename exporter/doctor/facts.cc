// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/facts.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "collectors/file_reader.h"
#include "collectors/netlink_socket.h"
#include "collectors/slab.h"
#include "collectors/stat.h"
#include "collectors/sysctl.h"
#include "collectors/table.h"
#include "collectors/timeouts.h"

namespace nfce {
namespace {

// Counts the lines that can be this namespace's: each is one dropped packet,
// so with a drop counter of 0 they belong to a namespace that is gone.
void JudgeKernelLog(const TableFullLines& lines, HostFacts* f) {
  f->table_full_lines_seen = lines.count;
  f->last_table_full = lines.last;
  if (lines.count == 0) return;
  const std::string n =
      absl::StrCat(lines.count, " recent 'table full' line(s)");
  if (f->counters_read && f->Counter("drop") == 0) {
    f->table_full_lines = 0;
    f->table_full_caveat = absl::StrCat(
        n,
        lines.unnamed_namespace
            ? " do not name their network namespace (kernels before 6.17)"
            : " name this network namespace's inode",
        ", but its drop counter is 0: they come from another namespace (a "
        "deleted one whose inode number was reused, or a sibling), not "
        "counted");
    return;
  }
  f->table_full_lines = lines.count;
  if (!f->counters_read) {
    f->table_full_caveat = absl::StrCat(
        n,
        " cannot be checked against the drop counter (unavailable): they may "
        "come from another namespace",
        lines.unnamed_namespace ? " (before 6.17 a line does not name its own)"
                                : " (namespace inodes are reused)");
  } else if (lines.unnamed_namespace) {
    f->table_full_caveat =
        "before 6.17 a 'table full' line does not name its network namespace; "
        "this namespace's drop counter is above 0, so they are counted";
  }
}

// Version "6.18.0-foo" -> {6, 18}; {0, 0} if it does not parse.
std::pair<int, int> KernelVersion(absl::string_view release) {
  std::vector<absl::string_view> parts = absl::StrSplit(release, '.');
  int major = 0, minor = 0;
  if (parts.size() >= 2 && absl::SimpleAtoi(parts[0], &major)) {
    absl::string_view m = parts[1];
    size_t digits = 0;
    while (digits < m.size() && absl::ascii_isdigit(m[digits])) ++digits;
    if (!absl::SimpleAtoi(m.substr(0, digits), &minor)) major = 0;
  }
  return {major, minor};
}

bool Writable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && (st.st_mode & 0222) != 0;
}

// Where fixes apply: the namespace, the kernel's build, the bucket sysctl,
// and kube-proxy. All read-only tells that work on fixture trees too.
void ReadHostKind(const Paths& paths, HostFacts* f) {
  const SysctlLocation loc = SysctlsOf(paths, f->flavor);
  if (f->flavor == ConntrackFlavor::kLegacyIpConntrack) {
    f->netns_initial = true;  // ip_conntrack predates network namespaces
  } else if (PathExists(loc.File("max"))) {
    // The alias net.nf_conntrack_max exists only in the initial namespace;
    // in a child, nf_conntrack_max is 0444 (5.13+, backported to 4.9+).
    f->netns_initial = PathExists(paths.Proc("sys/net/nf_conntrack_max")) ||
                       Writable(loc.File("max"));
  }
  const std::string module =
      paths.Sys(absl::StrCat("module/", ModuleName(f->flavor)));
  if (PathExists(absl::StrCat(module, "/initstate"))) {
    f->conntrack_builtin = false;
  } else if (PathExists(module)) {
    f->conntrack_builtin = true;  // parameters/ without a module around it
  }
  auto [major, minor] = KernelVersion(f->kernel_release);
  if (f->flavor == ConntrackFlavor::kNfConntrack) {
    // Writable from the initial namespace since 4.8; seen from a child
    // namespace the file is 0444 whatever the host can do.
    f->buckets_sysctl_writable =
        f->netns_initial.value_or(true) && PathExists(loc.File("buckets"))
            ? Writable(loc.File("buckets"))
            : (major > 4 || (major == 4 && minor >= 8));
  }
  if (DIR* dir = opendir(paths.procfs.c_str())) {
    while (dirent* e = readdir(dir)) {
      if (!absl::ascii_isdigit(e->d_name[0])) continue;
      auto comm =
          ReadFileToString(paths.Proc(absl::StrCat(e->d_name, "/comm")));
      if (comm.ok() && absl::StripAsciiWhitespace(*comm) == "kube-proxy") {
        f->kube_proxy = true;
        break;
      }
    }
    closedir(dir);
  }
}

int CountCpus(const Paths& paths) {
  auto stat = ReadFileToString(paths.Proc("stat"));
  if (!stat.ok()) return 0;
  int cpus = 0;
  for (absl::string_view line : absl::StrSplit(*stat, '\n')) {
    if (line.size() > 3 && absl::StartsWith(line, "cpu") &&
        absl::ascii_isdigit(line[3])) {
      ++cpus;
    }
  }
  return cpus;
}

}  // namespace

std::optional<double> HostFacts::Usage() const {
  if (!entries || !limit || *limit == 0) return std::nullopt;
  return static_cast<double>(*entries) / static_cast<double>(*limit);
}

uint64_t HostFacts::Counter(const std::string& name) const {
  auto it = counters.find(name);
  return it == counters.end() ? 0 : it->second;
}

std::optional<uint64_t> HostFacts::Timeout(const std::string& name) const {
  auto it = timeouts.find(name);
  if (it == timeouts.end()) return std::nullopt;
  return it->second;
}

HostFacts GatherFacts(const DoctorOptions& o) {
  HostFacts f;
  const Paths& paths = o.paths;
  if (auto rel = ReadFileToString(paths.Proc("sys/kernel/osrelease"));
      rel.ok()) {
    f.kernel_release = std::string(absl::StripAsciiWhitespace(*rel));
  }
  if (auto mem = ReadFileToString(paths.Proc("meminfo")); mem.ok()) {
    for (absl::string_view line : absl::StrSplit(*mem, '\n')) {
      uint64_t kb = 0;
      if (absl::ConsumePrefix(&line, "MemTotal:") &&
          absl::SimpleAtoi(
              absl::StripSuffix(absl::StripAsciiWhitespace(line), " kB"),
              &kb)) {
        f.ram_bytes = kb * 1024;
      }
    }
  }
  f.cpus = CountCpus(paths);
  absl::StatusOr<uint64_t> count;  // read while detecting the module
  f.flavor = DetectConntrack(paths, &count);
  absl::StatusOr<TableFullLines> lines =
      absl::FailedPreconditionError("not read (--kernel-log= was empty)");
  if (o.kernel_log_reader != nullptr) {
    lines = o.kernel_log_reader->Read();
  } else if (!o.kernel_log.empty()) {
    lines = KernelLog(o.kernel_log).Read();
  }
  if (lines.ok()) {
    f.kernel_log_read = true;
  } else {
    f.kernel_log_note = std::string(lines.status().message());
    // /dev/kmsg is often closed to users (dmesg_restrict): a note. A log
    // the user named and that cannot be read is a fact missing.
    if (o.kernel_log_given) {
      f.unreadable.push_back(
          absl::StrCat("the kernel log: ", lines.status().message()));
    }
  }
  if (f.flavor == ConntrackFlavor::kNone) {
    if (lines.ok()) JudgeKernelLog(*lines, &f);
    return f;
  }

  SysctlLocation loc = SysctlsOf(paths, f.flavor);
  if (count.ok()) {
    f.entries = *count;
  } else {
    f.unreadable.push_back(absl::StrCat("the entries (nf_conntrack_count): ",
                                        count.status().message()));
  }
  if (auto limit = ReadSysctlUint(loc.File("max")); limit.ok()) {
    f.limit = *limit;
  } else {
    f.unreadable.push_back(absl::StrCat("the limit (nf_conntrack_max): ",
                                        limit.status().message()));
  }
  if (auto limits = ReadTableLimits(paths, f.flavor);
      limits.ok() && limits->buckets.ok()) {
    f.buckets = *limits->buckets;
  }
  ReadHostKind(paths, &f);
  const bool real_proc = paths.procfs == "/proc";
  // ctnetlink speaks for this process's kernel: never for a fixture tree.
  StatOptions stat = o.stat;
  if (!real_proc) stat.source = StatSource::kProcfs;
  absl::StatusOr<StatCounters> stats = ReadStatCounters(paths, f.flavor, stat);
  if (stats.ok()) {
    f.counters_read = true;
    f.counters_note =
        stats->source == "procfs"
            ? paths.Proc(absl::StrCat("net/stat/", ModuleName(f.flavor)))
            : stats->source;
    for (size_t i = 0; i < stats->names.size(); ++i) {
      f.counters[stats->names[i]] = stats->totals[i];
    }
  } else {
    f.counters_note = absl::StrCat("unavailable: ", stats.status().message());
    f.unreadable.push_back(
        absl::StrCat("the drop counters: ", stats.status().message()));
  }
  if (lines.ok()) JudgeKernelLog(*lines, &f);
  if (auto caches = ReadConntrackCaches(paths); caches.ok()) {
    f.object_size = ObjectSize(*caches);
    double bytes = 0;
    for (const auto& c : *caches) bytes += SlabBytes(c);
    f.slab_bytes = static_cast<uint64_t>(bytes);
  }
  if (auto names = ListDirectory(loc.dir); names.ok()) {
    for (const std::string& name : *names) {
      absl::string_view suffix = name;
      if (!absl::ConsumePrefix(&suffix, loc.prefix) ||
          !ParseTimeoutSysctlName(suffix)) {
        continue;
      }
      if (auto t = ReadSysctlUint(loc.File(suffix)); t.ok()) {
        f.timeouts[std::string(suffix)] = *t;
      }
    }
  }
  if (!o.dump_flows) {
    f.makeup_note = "not dumped (--no-flows)";
  } else if (!real_proc) {
    f.makeup_note =
        "not dumped: ctnetlink speaks for the running kernel, "
        "not for --path.procfs";
  } else if (!ConntrackLoadedHere()) {
    f.makeup_note = "not dumped: nf_conntrack is not loaded";
  } else {
    MakeupOptions mo;
    mo.top = 5;
    ReadIdleTimeouts(paths, f.flavor, &mo);
    auto makeup = DumpTableMakeup(mo, absl::Now() + absl::Seconds(10));
    if (makeup.ok()) {
      f.makeup = *std::move(makeup);
    } else {
      f.makeup_note = absl::StrCat("not dumped: ", makeup.status().message());
    }
  }
  return f;
}

}  // namespace nfce

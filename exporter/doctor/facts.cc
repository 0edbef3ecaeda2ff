// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/facts.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace nfce {

std::optional<double> HostFacts::Usage() const {
  if (!entries || !limit || *limit == 0) return std::nullopt;
  return static_cast<double>(*entries) / static_cast<double>(*limit);
}

std::optional<double> HostFacts::ExpectUsage() const {
  if (!expect_entries || !expect_limit || *expect_limit == 0) {
    return std::nullopt;
  }
  return static_cast<double>(*expect_entries) /
         static_cast<double>(*expect_limit);
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

const NetnsName* HostFacts::NamespaceOf(const std::string& address) const {
  if (!namespaces) return nullptr;
  for (const NetnsName& n : *namespaces) {
    for (const std::string& a : n.addresses) {
      if (a == address) return &n;
    }
  }
  return nullptr;
}

namespace {

void ReadNamespaces(const KernelView& view, const GatherOptions& o,
                    HostFacts* f) {
  if (o.name_namespaces <= 0) {
    f->namespaces_note = "not named (--no-namespaces)";
    return;
  }
  if (absl::Status ready = view.NetlinkReady(); !ready.ok()) {
    f->namespaces_note = absl::StrCat("not named: ", ready.message());
    return;
  }
  absl::Status status;
  f->namespaces = NameNamespaces(view, o.name_namespaces, 16, &status);
  if (!status.ok()) {
    f->namespaces_note = absl::StrCat("partly named: ", status.message());
  }
}

void ReadKernelLog(const KernelView& view, const GatherOptions& o,
                   HostFacts* f) {
  absl::StatusOr<TableFullLines> lines =
      absl::FailedPreconditionError("not read (--kernel-log= was empty)");
  if (o.kernel_log != nullptr) {
    lines = o.kernel_log->Read();
  } else if (!view.paths().kmsg.empty()) {
    lines = KernelLog(view).Read();
  }
  if (lines.ok()) {
    f->kernel_log = *std::move(lines);
    return;
  }
  f->kernel_log_note = std::string(lines.status().message());
  if (o.kernel_log_required) {
    f->unreadable.push_back({"kernel_log", f->kernel_log_note});
  }
}

void ReadCounters(const KernelView& view, const GatherOptions& o,
                  HostFacts* f) {
  // ctnetlink speaks for this process's kernel: never for a fixture tree.
  StatOptions stat = o.stat;
  if (!view.running_kernel()) stat.source = StatSource::kProcfs;
  absl::StatusOr<StatCounters> stats = ReadStatCounters(view, f->flavor, stat);
  if (!stats.ok()) {
    f->counters_note = absl::StrCat("unavailable: ", stats.status().message());
    f->unreadable.push_back(
        {"drop_counters", std::string(stats.status().message())});
    return;
  }
  f->counters_read = true;
  f->counters_note =
      stats->source == "procfs" ? view.StatFile(f->flavor) : stats->source;
  for (size_t i = 0; i < stats->names.size(); ++i) {
    f->counters[stats->names[i]] = stats->totals[i];
  }
}

void ReadExpectations(const KernelView& view, HostFacts* f) {
  if (absl::StatusOr<uint64_t> limit = view.ExpectLimit(f->flavor);
      limit.ok()) {
    f->expect_limit = *limit;
  }
  // ctnetlink speaks for this process's kernel: never for a fixture tree.
  const StatSource source =
      view.running_kernel() ? StatSource::kAuto : StatSource::kProcfs;
  absl::string_view used;
  absl::StatusOr<uint64_t> entries =
      view.ExpectEntries(f->flavor, source, &used);
  if (entries.ok()) {
    f->expect_entries = *entries;
    f->expect_note =
        used == "procfs" ? view.ExpectFile(f->flavor) : std::string(used);
  } else {
    f->expect_note = absl::StrCat("unavailable: ", entries.status().message());
  }
}

void DumpMakeup(const KernelView& view, const GatherOptions& o, HostFacts* f) {
  if (!o.dump_flows) {
    f->makeup_note = "not dumped (--no-flows)";
    return;
  }
  MakeupOptions mo;
  mo.top = 5;
  ReadIdleTimeouts(view, f->flavor, &mo);
  auto makeup = DumpTableMakeup(view, mo, absl::Now() + absl::Seconds(10));
  if (makeup.ok()) {
    f->makeup = *std::move(makeup);
  } else {
    f->makeup_note = absl::StrCat("not dumped: ", makeup.status().message());
  }
}

}  // namespace

HostFacts GatherFacts(const KernelView& view, const GatherOptions& o) {
  HostFacts f;
  const HostInfo host = view.Host();
  f.kernel_release = host.kernel_release;
  f.ram_bytes = host.ram_bytes;
  f.cpus = host.cpus;
  absl::StatusOr<uint64_t> count;  // read while detecting the module
  f.flavor = view.Detect(&count);
  ReadKernelLog(view, o, &f);
  if (f.flavor == ConntrackFlavor::kNone) return f;

  if (count.ok()) {
    f.entries = *count;
  } else {
    f.unreadable.push_back({"entries", std::string(count.status().message()),
                            view.SysctlName(f.flavor, "count")});
  }
  if (auto limits = view.Limits(f.flavor); limits.ok()) {
    f.limit = limits->limit;
    if (limits->buckets.ok()) f.buckets = *limits->buckets;
  } else {
    f.unreadable.push_back({"limit", std::string(limits.status().message()),
                            view.SysctlName(f.flavor, "max")});
  }
  const HostKind kind = view.ReadHostKind(f.flavor, f.kernel_release);
  f.netns_initial = kind.netns_initial;
  f.conntrack_builtin = kind.conntrack_builtin;
  f.buckets_sysctl_writable = kind.buckets_sysctl_writable;
  f.kube_proxy = kind.kube_proxy;
  ReadCounters(view, o, &f);
  if (auto caches = view.SlabCaches(); caches.ok()) {
    f.object_size = ObjectSize(*caches);
    double bytes = 0;
    for (const auto& c : *caches) bytes += SlabBytes(c);
    f.slab_bytes = static_cast<uint64_t>(bytes);
  }
  for (const TimeoutSysctl& t : view.Timeouts(f.flavor).values) {
    f.timeouts[t.suffix] = t.seconds;
  }
  ReadExpectations(view, &f);
  f.snat_ports = o.snat_ports;
  DumpMakeup(view, o, &f);
  ReadNamespaces(view, o, &f);
  return f;
}

}  // namespace nfce

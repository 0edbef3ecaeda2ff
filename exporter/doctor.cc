#include "exporter/doctor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "collectors/file_reader.h"
#include "collectors/flows.h"
#include "collectors/netlink_socket.h"
#include "collectors/slab.h"
#include "collectors/stat.h"
#include "collectors/stat_parser.h"
#include "collectors/sysctl.h"
#include "collectors/table.h"

namespace nfce {
namespace {

uint64_t NextPow2(uint64_t v) {
  uint64_t p = 1;
  while (p < v && p < (uint64_t{1} << 62)) p <<= 1;
  return p;
}

uint64_t Counter(const HostFacts& f, const std::string& name) {
  auto it = f.counters.find(name);
  return it == f.counters.end() ? 0 : it->second;
}

std::string Percent(double share) {
  return absl::StrFormat("%.1f%%", share * 100);
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonStrings(const std::vector<std::string>& v) {
  std::vector<std::string> quoted;
  for (const auto& s : v) quoted.push_back(JsonString(s));
  return absl::StrCat("[", absl::StrJoin(quoted, ", "), "]");
}

// Reads kernel log records (/dev/kmsg: one record per read, never cleared)
// and keeps the "table full" ones of this network namespace: since 6.17 the
// line names the namespace's inode, and other namespaces' lines are theirs.
void ReadKernelLog(const std::string& path, HostFacts* f) {
  // Namespace inodes are recycled, so only recent lines count: those of the
  // last hour, by the kernel's own clock (a saved log file: all of it).
  constexpr double kRecentSeconds = 3600;
  double uptime = -1;
  if (auto text = ReadFileToString("/proc/uptime"); text.ok()) {
    (void)absl::SimpleAtod(text->substr(0, text->find(' ')), &uptime);
  }
  struct stat self_ns;
  std::string own_netns;
  if (stat("/proc/self/ns/net", &self_ns) == 0) {
    own_netns = absl::StrCat("in netns ", self_ns.st_ino, ",");
  }
  if (path.empty()) {
    f->kernel_log_note = "not read (--kernel-log= was empty)";
    return;
  }
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    f->kernel_log_note =
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno));
    return;
  }
  struct stat st;
  const bool live = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode);
  // A regular file (a saved log) is read whole; /dev/kmsg record by record.
  std::string pending;
  char buf[8192];
  for (int records = 0; records < 1000000; ++records) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EPIPE) continue;  // a record was overwritten
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  f->kernel_log_read = true;
  for (absl::string_view line : absl::StrSplit(pending, '\n')) {
    if (!absl::StrContains(line, "table full")) continue;
    if (absl::StrContains(line, "in netns ") &&
        (own_netns.empty() || !absl::StrContains(line, own_netns))) {
      continue;
    }
    if (live && uptime >= 0) {  // "prio,seq,usec,flags;message"
      std::vector<absl::string_view> head =
          absl::StrSplit(line.substr(0, line.find(';')), ',');
      double usec = 0;
      if (head.size() >= 3 && absl::SimpleAtod(head[2], &usec) &&
          uptime - usec / 1e6 > kRecentSeconds) {
        continue;
      }
    }
    ++f->table_full_lines;
    size_t semi = line.find(';');  // kmsg: "prio,seq,usec,flags;message"
    f->last_table_full = std::string(absl::StripAsciiWhitespace(
        semi == absl::string_view::npos ? line : line.substr(semi + 1)));
  }
}

}  // namespace

std::string FormatMiB(double bytes) {
  return absl::StrFormat("%.1f MiB", bytes / (1024.0 * 1024.0));
}

absl::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kOk:
      return "OK";
    case Verdict::kWarning:
      return "WARNING";
    case Verdict::kCritical:
      return "CRITICAL";
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
  // much memory, as a power of two.
  uint64_t wanted = NextPow2(
      std::max<uint64_t>({2 * f.entries, SeedLimit(f.ram_bytes, f.pointer_size),
                          uint64_t{65536}}));
  r.limit_already_enough = f.limit != 0 && f.limit >= wanted;
  r.limit = r.limit_already_enough ? f.limit : wanted;
  r.buckets = NextPow2(r.limit);  // 1 : 1, the default since 5.15
  r.memory_bytes = static_cast<double>(r.limit) * object_size +
                   static_cast<double>(r.buckets) * f.pointer_size;
  r.current_memory_bytes =
      static_cast<double>(f.limit) * object_size +
      static_cast<double>(f.buckets.value_or(0)) * f.pointer_size;
  r.ram_share = f.ram_bytes ? r.memory_bytes / f.ram_bytes : 0;
  r.over_memory_budget = r.ram_share > kMemoryBudget;

  const bool legacy = f.flavor == ConntrackFlavor::kLegacyIpConntrack;
  const std::string sysctl = legacy ? "net.ipv4.netfilter.ip_conntrack_max"
                                    : "net.netfilter.nf_conntrack_max";
  const std::string module = legacy ? "ip_conntrack" : "nf_conntrack";
  if (!r.limit_already_enough) {
    r.runtime_commands.push_back(
        absl::StrCat("sysctl -w ", sysctl, "=", r.limit));
    r.persistent_files.push_back(absl::StrCat(
        legacy ? "/etc/sysctl.conf" : "/etc/sysctl.d/90-conntrack.conf", ": ",
        sysctl, " = ", r.limit));
  }
  if (f.buckets.value_or(0) < r.buckets) {
    r.runtime_commands.push_back(absl::StrCat(
        "echo ", r.buckets, " > /sys/module/", module, "/parameters/hashsize"));
    r.persistent_files.push_back(absl::StrCat(
        legacy ? "/etc/modprobe.conf" : "/etc/modprobe.d/nf_conntrack.conf",
        ": options ", module, " hashsize=", r.buckets));
  }
  return r;
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
  const double usage = f.limit ? static_cast<double>(f.entries) / f.limit : 0;
  const uint64_t drops = Counter(f, "drop");
  if (f.limit == 0) {
    raise(Verdict::kWarning,
          "nf_conntrack_max is 0: no limit, the table grows until memory runs "
          "out");
  } else if (usage >= 0.9) {
    raise(Verdict::kCritical,
          absl::StrCat("the table is ", Percent(usage), " full (", f.entries,
                       " of ", f.limit, "): drops are imminent"));
  } else if (usage >= 0.75) {
    raise(Verdict::kWarning,
          absl::StrCat("the table is ", Percent(usage), " full (", f.entries,
                       " of ", f.limit, ")"));
  }
  if (drops > 0) {
    bool now = usage >= 0.9 || f.table_full_lines > 0;
    raise(now ? Verdict::kCritical : Verdict::kWarning,
          absl::StrCat("the kernel dropped ", drops,
                       " packets because the table was full (drop counter",
                       now ? "" : ", since conntrack loaded", ")"));
  }
  if (f.table_full_lines > 0) {
    raise(Verdict::kCritical,
          absl::StrCat(
              "the kernel log holds ", f.table_full_lines,
              " recent 'table full' line(s); the last: ", f.last_table_full));
  }
  if (uint64_t early = Counter(f, "early_drop")) {
    raise(
        Verdict::kWarning,
        absl::StrCat(early, " entries were evicted to make room (early_drop)"));
  }
  if (uint64_t failed = Counter(f, "insert_failed")) {
    raise(Verdict::kWarning,
          absl::StrCat(failed, " inserts failed (insert_failed; ",
                       Counter(f, "chaintoolong"),
                       " of them for a hash chain too long)"));
  }
  if (f.buckets && *f.buckets > 0) {
    double chain = 2.0 * f.entries / *f.buckets;
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
  if (d.verdict == Verdict::kOk) {
    d.reasons.push_back(absl::StrCat("the table is ", Percent(usage),
                                     " full and nothing was dropped"));
  }
  return d;
}

std::string RenderText(const HostFacts& f, const Diagnosis& d) {
  std::string out =
      absl::StrCat("nf_conntrack doctor: ", VerdictName(d.verdict), "\n\n");
  for (const std::string& r : d.reasons) absl::StrAppend(&out, "  - ", r, "\n");
  absl::StrAppend(&out, "\nHost\n  kernel ", f.kernel_release, ", ",
                  FormatMiB(static_cast<double>(f.ram_bytes)), " RAM, module ",
                  FlavorName(f.flavor), "\n");
  if (f.flavor == ConntrackFlavor::kNone) return out;
  const double usage = f.limit ? static_cast<double>(f.entries) / f.limit : 0;
  absl::StrAppend(&out, "\nTable\n  entries ", f.entries, " of limit ",
                  f.limit == 0 ? std::string("none") : absl::StrCat(f.limit),
                  " (", Percent(usage), ")\n");
  if (f.buckets && *f.buckets) {
    absl::StrAppend(
        &out,
        absl::StrFormat("  buckets %d: %.2f entries per bucket, "
                        "mean chain length %.2f, max : buckets = "
                        "%.2f : 1\n",
                        *f.buckets, static_cast<double>(f.entries) / *f.buckets,
                        2.0 * f.entries / *f.buckets,
                        static_cast<double>(f.limit) / *f.buckets));
  }
  absl::StrAppend(&out, "\nCounters (", f.counters_note, ")\n");
  for (const char* name : {"drop", "early_drop", "insert_failed",
                           "chaintoolong", "clash_resolve"}) {
    if (f.counters.count(name)) {
      absl::StrAppend(&out, "  ", name, " ", f.counters.at(name), "\n");
    }
  }
  absl::StrAppend(
      &out, "\nKernel log\n  ",
      f.kernel_log_read
          ? absl::StrCat(
                f.table_full_lines,
                " recent 'table full' line(s) for this network namespace")
          : f.kernel_log_note,
      "\n");
  absl::StrAppend(
      &out, "\nMemory\n  slab object ",
      f.object_size ? absl::StrCat(*f.object_size, " bytes")
                    : absl::StrCat(kDefaultConntrackObjectSize,
                                   " bytes (default: slab unreadable)"),
      f.slab_bytes ? absl::StrCat(", cache holds ", FormatMiB(*f.slab_bytes))
                   : "",
      "\n");
  if (f.established_timeout) {
    absl::StrAppend(
        &out, "\nTimeouts\n  established TCP ", *f.established_timeout, " s",
        f.established_share
            ? absl::StrCat(", holding ", Percent(*f.established_share),
                           " of entries")
            : "",
        "\n");
  }
  if (d.recommendation) {
    const Recommendation& r = *d.recommendation;
    absl::StrAppend(
        &out, "\nRecommendation\n  limit ", r.limit,
        r.limit_already_enough ? " (the current limit is enough)" : "",
        ", buckets ", r.buckets, " (1 : 1)\n  a full table costs ",
        FormatMiB(r.current_memory_bytes), " now, ", FormatMiB(r.memory_bytes),
        " at the recommendation (", Percent(r.ram_share), " of RAM)\n");
    if (!r.runtime_commands.empty()) {
      absl::StrAppend(&out, "  now:\n");
      for (const auto& c : r.runtime_commands)
        absl::StrAppend(&out, "    ", c, "\n");
      absl::StrAppend(&out, "  persistently:\n");
      for (const auto& c : r.persistent_files)
        absl::StrAppend(&out, "    ", c, "\n");
    }
  }
  return out;
}

std::string RenderJson(const HostFacts& f, const Diagnosis& d) {
  std::vector<std::string> counters;
  for (const auto& [k, v] : f.counters) {
    counters.push_back(absl::StrCat(JsonString(k), ": ", v));
  }
  std::string rec = "null";
  if (d.recommendation) {
    const Recommendation& r = *d.recommendation;
    rec = absl::StrCat(
        "{\"limit\": ", r.limit, ", \"buckets\": ", r.buckets,
        ", \"limit_already_enough\": ",
        r.limit_already_enough ? "true" : "false",
        ", \"memory_bytes\": ", absl::StrFormat("%.0f", r.memory_bytes),
        ", \"current_memory_bytes\": ",
        absl::StrFormat("%.0f", r.current_memory_bytes),
        ", \"ram_share\": ", absl::StrFormat("%.6f", r.ram_share),
        ", \"runtime_commands\": ", JsonStrings(r.runtime_commands),
        ", \"persistent_files\": ", JsonStrings(r.persistent_files), "}");
  }
  return absl::StrCat(
      "{\"verdict\": ", JsonString(VerdictName(d.verdict)),
      ", \"reasons\": ", JsonStrings(d.reasons),
      ", \"module\": ", JsonString(FlavorName(f.flavor)),
      ", \"kernel\": ", JsonString(f.kernel_release),
      ", \"ram_bytes\": ", f.ram_bytes, ", \"entries\": ", f.entries,
      ", \"limit\": ", f.limit,
      ", \"buckets\": ", f.buckets ? absl::StrCat(*f.buckets) : "null",
      ", \"counters\": {", absl::StrJoin(counters, ", "), "}",
      ", \"object_size\": ",
      f.object_size ? absl::StrCat(*f.object_size) : "null",
      ", \"kernel_log_table_full_lines\": ",
      f.kernel_log_read ? absl::StrCat(f.table_full_lines) : "null",
      ", \"recommendation\": ", rec, "}\n");
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
  ReadKernelLog(o.kernel_log, &f);
  f.flavor = DetectConntrack(paths);
  if (f.flavor == ConntrackFlavor::kNone) return f;

  SysctlLocation loc = SysctlsOf(paths, f.flavor);
  if (auto count = ReadSysctlUint(loc.File("count")); count.ok())
    f.entries = *count;
  if (auto limits = ReadTableLimits(paths, f.flavor); limits.ok()) {
    f.limit = limits->limit;
    if (limits->buckets.ok()) f.buckets = *limits->buckets;
  }
  const bool real_proc = paths.procfs == "/proc";
  // ctnetlink speaks for this process's kernel: never for a fixture tree.
  absl::string_view used;
  absl::StatusOr<StatSnapshot> stats = ReadStatSnapshot(
      paths, f.flavor, real_proc ? StatSource::kAuto : StatSource::kProcfs,
      &used);
  if (stats.ok()) {
    f.counters_note =
        used == "procfs"
            ? paths.Proc(absl::StrCat("net/stat/", ModuleName(f.flavor)))
            : std::string(used);
    for (size_t i = 0; i < stats->names.size(); ++i) {
      for (const auto& cpu : stats->cpus) {
        f.counters[stats->names[i]] += cpu.values[i];
      }
    }
  } else {
    f.counters_note = absl::StrCat("unavailable: ", stats.status().message());
  }
  if (auto caches = ReadConntrackCaches(paths); caches.ok()) {
    f.object_size = ObjectSize(*caches);
    double bytes = 0;
    for (const auto& c : *caches) bytes += SlabBytes(c);
    f.slab_bytes = static_cast<uint64_t>(bytes);
  }
  if (auto t = ReadSysctlUint(loc.File("tcp_timeout_established")); t.ok()) {
    f.established_timeout = *t;
  }
  if (o.dump_flows && real_proc && ConntrackLoadedHere()) {
    if (auto flows = DumpFlows(16, absl::Now() + absl::Seconds(10));
        flows.ok() && flows->total() > 0) {
      uint64_t established = 0;
      for (const auto& [key, n] : flows->Counts()) {
        if (std::get<1>(key) == "tcp" && std::get<2>(key) == "established") {
          established += n;
        }
      }
      f.established_share = static_cast<double>(established) / flows->total();
    }
  }
  return f;
}

int DoctorMain(const std::vector<std::string>& args) {
  DoctorOptions o;
  for (const std::string& a : args) {
    absl::string_view v = a;
    if (absl::ConsumePrefix(&v, "--path.procfs=")) {
      o.paths.procfs = std::string(v);
    } else if (absl::ConsumePrefix(&v, "--path.sysfs=")) {
      o.paths.sysfs = std::string(v);
    } else if (absl::ConsumePrefix(&v, "--kernel-log=")) {
      o.kernel_log = std::string(v);
    } else if (a == "--output=json") {
      o.json = true;
    } else if (a == "--output=text") {
      o.json = false;
    } else if (a == "--no-flows") {
      o.dump_flows = false;
    } else if (a == "-h" || a == "--help") {
      std::fputs(
          "usage: nf_conntrack_exporter doctor [--output=text|json]\n"
          "           [--path.procfs=/proc] [--path.sysfs=/sys]\n"
          "           [--kernel-log=/dev/kmsg] [--no-flows]\n\n"
          "Diagnoses this host's connection tracking table and prints the\n"
          "commands that fix it, for this kernel. Read-only. Exit status:\n"
          "0 OK, 1 WARNING, 2 CRITICAL (a Nagios/Icinga check), 3 bad usage.\n",
          stdout);
      return 0;
    } else {
      std::fprintf(stderr, "doctor: unknown argument %s (see doctor --help)\n",
                   a.c_str());
      return 3;
    }
  }
  HostFacts facts = GatherFacts(o);
  Diagnosis d = Diagnose(facts);
  std::string report = o.json ? RenderJson(facts, d) : RenderText(facts, d);
  std::fputs(report.c_str(), stdout);
  return static_cast<int>(d.verdict);
}

}  // namespace nfce

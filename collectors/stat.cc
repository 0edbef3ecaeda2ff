#include "collectors/stat.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "collectors/families.h"
#include "collectors/file_reader.h"
#include "collectors/netlink_socket.h"
#include "collectors/stat_netlink.h"

namespace nfce {
namespace {

constexpr absl::string_view kProcSource = "procfs";
constexpr absl::string_view kNetlinkSource = "ctnetlink";

std::string CounterHelp(const std::string& name) {
  static const auto* kHelp = new std::map<std::string, std::string>{
      {"found", "Lookups that found an existing entry."},
      {"invalid",
       "Packets conntrack could not track (malformed, out of window), "
       "marked INVALID."},
      {"ignore",
       "Packets skipped because they were already tracked or untracked."},
      {"insert", "Entries inserted into the table."},
      {"insert_failed",
       "Inserts that failed: a clash with an existing entry or, since 5.15, a "
       "hash chain too long."},
      {"drop",
       "Packets dropped because the table was full and nothing could be "
       "early-dropped (kernel log: table full, dropping packet)."},
      {"early_drop",
       "Entries that were not assured, evicted to make room in a full table."},
      {"icmp_error",
       "ICMP errors that matched no tracked connection or were malformed."},
      {"search_restart",
       "Hash lookups restarted because the table changed under them."},
      {"clash_resolve",
       "Insert clashes (e.g. parallel UDP queries) resolved without a drop."},
      {"chaintoolong",
       "Inserts refused because a hash chain was too long (5.15+); also "
       "counted in insert_failed."},
      {"expect_new", "Expectations (helper-related entries) added."},
      {"expect_create", "Expectations created."},
      {"expect_delete", "Expectations deleted."},
      {"searched", "Hash table lookups (old kernels; later ones print 0)."},
      {"new", "Entries created (old kernels; later ones print 0)."},
      {"delete", "Entries deleted (old kernels; later ones print 0)."},
      {"delete_list",
       "Entries removed from the lists (old kernels; later ones print 0)."},
  };
  auto it = kHelp->find(name);
  std::string help = it != kHelp->end()
                         ? it->second
                         : absl::StrCat("Kernel conntrack counter ", name, ".");
  return absl::StrCat(help,
                      " Per-CPU kernel counters, extended past their "
                      "32-bit wrap.");
}

}  // namespace

absl::StatusOr<StatSource> ParseStatSource(absl::string_view text) {
  if (text == "auto") return StatSource::kAuto;
  if (text == "procfs") return StatSource::kProcfs;
  if (text == "netlink") return StatSource::kNetlink;
  return absl::InvalidArgumentError(absl::StrCat(
      "stat source must be auto, procfs or netlink, not \"", text, "\""));
}

absl::StatusOr<StatSnapshot> ReadStatSnapshot(const Paths& paths,
                                              ConntrackFlavor flavor,
                                              StatSource source,
                                              absl::string_view* used) {
  std::string file = paths.Proc(absl::StrCat("net/stat/", ModuleName(flavor)));
  bool use_proc = source == StatSource::kProcfs ||
                  (source == StatSource::kAuto && PathExists(file));
  if (use_proc) {
    *used = kProcSource;
    absl::StatusOr<std::string> text = SharedFileCache().Read(file);
    if (!text.ok()) return text.status();
    absl::StatusOr<StatSnapshot> snap = ParseProcStat(*text);
    if (!snap.ok()) return Prefixed(snap.status(), file);
    return snap;
  }
  *used = kNetlinkSource;
  if (!ConntrackLoadedHere()) {
    return absl::FailedPreconditionError(
        "nf_conntrack is not loaded in this process's namespace; not asking "
        "ctnetlink, which could load it");
  }
  return QueryCtnetlinkStats();
}

absl::Status StatCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  absl::string_view source;
  absl::StatusOr<StatSnapshot> snap =
      ReadStatSnapshot(paths_, ctx.flavor, options_.source, &source);
  if (!snap.ok()) return snap.status();

  prometheus::MetricFamily info = GaugeFamily(
      "nf_conntrack_stat_source_info",
      "Where the stat counters came from: procfs (/proc/net/stat/nf_conntrack) "
      "or ctnetlink (as conntrack -S).");
  AddSample(&info, 1, {{"source", std::string(source)}});
  out->push_back(std::move(info));

  std::lock_guard<std::mutex> lock(mu_);
  if (last_source_ != source) {
    wraps_.Reset();
    last_source_ = std::string(source);
  }
  for (size_t i = 0; i < snap->names.size(); ++i) {
    const std::string& name = snap->names[i];
    prometheus::MetricFamily f = CounterFamily(
        absl::StrCat("nf_conntrack_stat_", name, "_total"), CounterHelp(name));
    uint64_t sum = 0;
    for (const StatSnapshot::Cpu& cpu : snap->cpus) {
      uint64_t v = wraps_.Update(name, cpu.id, cpu.values[i]);
      if (options_.per_cpu) {
        AddSample(&f, static_cast<double>(v), {{"cpu", absl::StrCat(cpu.id)}});
      }
      sum += v;
    }
    if (!options_.per_cpu) AddSample(&f, static_cast<double>(sum));
    out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

}  // namespace nfce

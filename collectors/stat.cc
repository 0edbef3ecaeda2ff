// SPDX-License-Identifier: Apache-2.0
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
       "Packets conntrack refused: the table full with nothing to "
       "early-drop (kernel log: table full, dropping packet), a failed "
       "allocation, or a packet a protocol tracker dropped (also counted in "
       "invalid)."},
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
                      "32-bit wrap; they start again from 0 when the module "
                      "is reloaded.");
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
                                              absl::string_view* used,
                                              uint64_t* file_generation) {
  std::string file = paths.Proc(absl::StrCat("net/stat/", ModuleName(flavor)));
  if (file_generation) *file_generation = 0;
  if (source != StatSource::kNetlink) {
    // Read, not stat(), to learn whether the file exists: the read goes
    // through a kept descriptor, a stat() walks the path every scrape.
    absl::StatusOr<std::string> text =
        SharedFileCache().Read(file, kMaxPseudoFileBytes, file_generation);
    const bool absent = absl::IsNotFound(text.status());
    if (!(absent && source == StatSource::kAuto)) {
      *used = kProcSource;
      if (!text.ok()) return text.status();
      absl::StatusOr<StatSnapshot> snap = ParseProcStat(*text);
      if (!snap.ok()) return Prefixed(snap.status(), file);
      return snap;
    }
  }
  *used = kNetlinkSource;
  if (!ConntrackLoadedHere()) {
    return absl::FailedPreconditionError(
        "nf_conntrack is not loaded in this process's namespace; not asking "
        "ctnetlink, which could load it");
  }
  return QueryCtnetlinkStats();
}

absl::StatusOr<StatCounters> ReadStatCounters(
    const Paths& paths, ConntrackFlavor flavor, const StatOptions& options,
    std::optional<uint64_t> module_generation) {
  absl::string_view source;
  uint64_t file_generation = 0;
  absl::StatusOr<StatSnapshot> snap = ReadStatSnapshot(
      paths, flavor, options.source, &source, &file_generation);
  if (!snap.ok()) return snap.status();

  StatState& st = *options.state;
  std::lock_guard<std::mutex> lock(st.mu);
  StatCounters out;
  out.source = std::string(source);
  out.names = snap->names;
  // A different source counts from its own zero; the same source after a
  // reload starts again: forget what was extended so far.
  bool restart =
      st.source != source || st.file_generation != file_generation ||
      (module_generation && st.module_generation != *module_generation);
  for (const StatSnapshot::Cpu& cpu : snap->cpus) {
    if (restart) break;
    restart = st.wraps.LooksLikeRestart(cpu.id, snap->names, cpu.values);
  }
  if (restart) st.wraps.Reset();
  st.source = out.source;
  if (module_generation) st.module_generation = *module_generation;
  st.file_generation = file_generation;
  out.totals.assign(snap->names.size(), 0);
  for (const StatSnapshot::Cpu& cpu : snap->cpus) {
    std::vector<uint64_t> values(snap->names.size());
    for (size_t i = 0; i < snap->names.size(); ++i) {
      values[i] = st.wraps.Update(snap->names[i], cpu.id, cpu.values[i]);
      out.totals[i] += values[i];
    }
    out.cpus.push_back(cpu.id);
    out.per_cpu.push_back(std::move(values));
  }
  return out;
}

absl::Status StatCollector::Collect(
    const ScrapeContext& ctx, std::vector<prometheus::MetricFamily>* out) {
  absl::StatusOr<StatCounters> counters =
      ReadStatCounters(paths_, ctx.flavor, options_, ctx.module_generation);
  if (!counters.ok()) return counters.status();

  prometheus::MetricFamily info = GaugeFamily(
      "nf_conntrack_stat_source_info",
      "Where the stat counters came from: procfs (/proc/net/stat/nf_conntrack) "
      "or ctnetlink (as conntrack -S).");
  AddSample(&info, 1, {{"source", counters->source}});
  out->push_back(std::move(info));

  for (size_t i = 0; i < counters->names.size(); ++i) {
    const std::string& name = counters->names[i];
    prometheus::MetricFamily f = CounterFamily(
        absl::StrCat("nf_conntrack_stat_", name, "_total"), CounterHelp(name));
    if (options_.per_cpu) {
      for (size_t c = 0; c < counters->cpus.size(); ++c) {
        AddSample(&f, static_cast<double>(counters->per_cpu[c][i]),
                  {{"cpu", absl::StrCat(counters->cpus[c])}});
      }
    } else {
      AddSample(&f, static_cast<double>(counters->totals[i]));
    }
    out->push_back(std::move(f));
  }
  return absl::OkStatus();
}

}  // namespace nfce

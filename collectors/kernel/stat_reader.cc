// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/stat_reader.h"

namespace nfce {

absl::StatusOr<StatCounters> ReadStatCounters(
    const KernelView& view, ConntrackFlavor flavor, const StatOptions& options,
    std::optional<uint64_t> module_generation) {
  absl::string_view source;
  uint64_t file_generation = 0;
  absl::StatusOr<StatSnapshot> snap =
      view.ReadStat(flavor, options.source, &source, &file_generation);
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

}  // namespace nfce

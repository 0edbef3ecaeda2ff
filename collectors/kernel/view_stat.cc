// SPDX-License-Identifier: Apache-2.0
#include "absl/strings/str_cat.h"
#include "collectors/kernel/kernel_view.h"
#include "collectors/kernel/stat_netlink.h"

namespace nfce {

std::string KernelView::StatFile(ConntrackFlavor flavor) const {
  return paths_.Proc(absl::StrCat("net/stat/", ModuleName(flavor)));
}

absl::StatusOr<StatSnapshot> KernelView::ReadStat(
    ConntrackFlavor flavor, StatSource source, absl::string_view* used,
    uint64_t* file_generation) const {
  if (file_generation) *file_generation = 0;
  if (source != StatSource::kNetlink) {
    const std::string file = StatFile(flavor);
    // Read, not stat(), to learn whether the file exists: the read goes
    // through a kept descriptor, a stat() walks the path every scrape.
    absl::StatusOr<std::string> text =
        files_.Read(file, kMaxPseudoFileBytes, file_generation);
    const bool absent = absl::IsNotFound(text.status());
    if (!(absent && source == StatSource::kAuto)) {
      *used = "procfs";
      if (!text.ok()) return text.status();
      absl::StatusOr<StatSnapshot> snap = ParseProcStat(*text);
      if (!snap.ok()) return Prefixed(snap.status(), file);
      return snap;
    }
  }
  *used = "ctnetlink";
  if (absl::Status ready = NetlinkReady(); !ready.ok()) return ready;
  return QueryCtnetlinkStats();
}

}  // namespace nfce

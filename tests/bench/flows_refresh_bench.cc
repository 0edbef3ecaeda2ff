// SPDX-License-Identifier: Apache-2.0
// Times the flows collector's refresh (one ctnetlink dump of the whole table
// plus aggregation) in this process's network namespace, with the process's
// own user and system time, so that the kernel's share is visible.
//
// usage: flows_refresh_bench REPEATS [TOP]
//   TOP: K of the top lists (default 10, as the collector; 0 turns them
//   off); the idle histograms are on whenever their sysctls can be read.
// prints: entries=N wall_ms=... user_ms=... sys_ms=... sketch_bytes=...
//   (means per refresh)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "absl/time/clock.h"
#include "collectors/makeup/table_makeup.h"

namespace {

double Millis(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1e3 +
         static_cast<double>(tv.tv_usec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  if (repeats < 1) repeats = 1;
  nfce::MakeupOptions options;
  options.top = argc > 2 ? std::atoi(argv[2]) : 10;
  const nfce::KernelView view(nfce::Paths{});
  nfce::ReadIdleTimeouts(view, nfce::ConntrackFlavor::kNfConntrack, &options);
  size_t sketch_bytes = 0;
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  absl::Time start = absl::Now();
  uint64_t entries = 0;
  for (int i = 0; i < repeats; ++i) {
    absl::StatusOr<nfce::TableMakeup> makeup =
        nfce::DumpTableMakeup(view, options, absl::Now() + absl::Seconds(60));
    if (!makeup.ok()) {
      std::fprintf(stderr, "dump failed: %s\n",
                   makeup.status().ToString().c_str());
      return 1;
    }
    entries = makeup->total;
    sketch_bytes = makeup->sketch_bytes;
  }
  double wall = absl::ToDoubleMilliseconds(absl::Now() - start);
  getrusage(RUSAGE_SELF, &after);
  std::printf(
      "entries=%llu wall_ms=%.3f user_ms=%.3f sys_ms=%.3f sketch_bytes=%zu\n",
      static_cast<unsigned long long>(entries), wall / repeats,
      (Millis(after.ru_utime) - Millis(before.ru_utime)) / repeats,
      (Millis(after.ru_stime) - Millis(before.ru_stime)) / repeats,
      sketch_bytes);
  return 0;
}

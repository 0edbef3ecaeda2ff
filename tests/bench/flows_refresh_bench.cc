// Times the flows collector's refresh (one ctnetlink dump of the whole table
// plus aggregation) in this process's network namespace, with the process's
// own user and system time, so that the kernel's share is visible.
//
// usage: flows_refresh_bench REPEATS
// prints: entries=N wall_ms=... user_ms=... sys_ms=...  (means per refresh)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "absl/time/clock.h"
#include "collectors/flows.h"

namespace {

double Millis(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1e3 +
         static_cast<double>(tv.tv_usec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  if (repeats < 1) repeats = 1;
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  absl::Time start = absl::Now();
  uint64_t entries = 0;
  for (int i = 0; i < repeats; ++i) {
    absl::StatusOr<nfce::FlowAggregator> flows =
        nfce::DumpFlows(16, absl::Now() + absl::Seconds(60));
    if (!flows.ok()) {
      std::fprintf(stderr, "dump failed: %s\n", flows.status().ToString().c_str());
      return 1;
    }
    entries = flows->total();
  }
  double wall = absl::ToDoubleMilliseconds(absl::Now() - start);
  getrusage(RUSAGE_SELF, &after);
  std::printf("entries=%llu wall_ms=%.3f user_ms=%.3f sys_ms=%.3f\n",
              static_cast<unsigned long long>(entries), wall / repeats,
              (Millis(after.ru_utime) - Millis(before.ru_utime)) / repeats,
              (Millis(after.ru_stime) - Millis(before.ru_stime)) / repeats);
  return 0;
}

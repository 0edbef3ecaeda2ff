// SPDX-License-Identifier: Apache-2.0
// The floor of a flows refresh: the same ctnetlink dump of the whole table
// as the collector asks for, received and thrown away (each message only
// counted), in this process's network namespace. What is left is the
// kernel's serialising and the copy to user space, which no tool can avoid:
// the flows refresh is held to a small factor of it.
//
// usage: flows_floor REPEATS
// prints: entries=N wall_ms=... user_ms=... sys_ms=... (means per dump)
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "absl/time/clock.h"
#include "collectors/kernel/netlink_socket.h"

namespace {

double Millis(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1e3 +
         static_cast<double>(tv.tv_usec) / 1e3;
}

int CountOnly(const nlmsghdr*, void* data) {
  ++*static_cast<unsigned long long*>(data);
  return MNL_CB_OK;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  if (repeats < 1) repeats = 1;
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  const absl::Time start = absl::Now();
  unsigned long long entries = 0;
  for (int i = 0; i < repeats; ++i) {
    entries = 0;
    absl::Status s = nfce::CtnetlinkDump(IPCTNL_MSG_CT_GET, CountOnly, &entries,
                                         absl::Now() + absl::Seconds(120));
    if (!s.ok()) {
      std::fprintf(stderr, "dump failed: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const double wall = absl::ToDoubleMilliseconds(absl::Now() - start);
  getrusage(RUSAGE_SELF, &after);
  std::printf("entries=%llu wall_ms=%.3f user_ms=%.3f sys_ms=%.3f\n", entries,
              wall / repeats,
              (Millis(after.ru_utime) - Millis(before.ru_utime)) / repeats,
              (Millis(after.ru_stime) - Millis(before.ru_stime)) / repeats);
  return 0;
}

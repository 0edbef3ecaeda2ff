// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <time.h>

namespace nfce::bench {

// This thread's CPU time in nanoseconds: another process on the machine
// does not count in it.
inline double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

}  // namespace nfce::bench

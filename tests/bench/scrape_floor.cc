// SPDX-License-Identifier: Apache-2.0
// The floor of a scrape: the kernel files a scrape reads, each read once
// with pread() from offset 0 through a descriptor kept open, in a tight
// loop; nothing parsed, nothing served. What the kernel charges for
// generating the numbers, and no exporter can go below.
//
// usage: scrape_floor ITERATIONS FILE...
// prints: floor_ns=... (thread CPU time per iteration, every file once)
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tests/bench/thread_cpu.h"

using nfce::bench::ThreadCpuNs;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: scrape_floor ITERATIONS FILE...\n");
    return 2;
  }
  const long iterations = std::atol(argv[1]);
  std::vector<int> fds;
  for (int i = 2; i < argc; ++i) {
    int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::perror(argv[i]);
      return 1;
    }
    fds.push_back(fd);
  }
  static char buf[1 << 16];
  long bytes = 0;
  const double start = ThreadCpuNs();
  for (long i = 0; i < iterations; ++i) {
    for (int fd : fds) bytes += pread(fd, buf, sizeof(buf), 0);
  }
  const double ns = (ThreadCpuNs() - start) / static_cast<double>(iterations);
  std::printf("floor_ns=%.0f bytes=%ld\n", ns, bytes / iterations);
  return 0;
}

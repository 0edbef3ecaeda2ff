// SPDX-License-Identifier: Apache-2.0
#include "exporter/process_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "unit/metrics_helpers.h"

namespace nfce {
namespace {

TEST(ParseStartTicks, ReadsField22PastACommWithSpacesAndParens) {
  // pid (comm) state ppid ... starttime=22
  auto s = ParseStartTicks(
      "4242 (nf conn) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
      "37 12 0 0 20 0 3 0 9876 123456789 2048 18446744073709551615 1 1 0 0 0 "
      "0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, 9876u);
  EXPECT_FALSE(ParseStartTicks("4242 (x) S 1 2").ok());
  EXPECT_FALSE(ParseStartTicks("no parenthesis").ok());
}

TEST(ProcessFamilies, DescribeThisProcess) {
  auto families = ProcessFamilies();
  auto rss = testing::Value(families, "process_resident_memory_bytes");
  ASSERT_TRUE(rss.has_value());
  EXPECT_GT(*rss, 1 << 20);  // a test binary holds more than 1 MiB
  auto fds = testing::Value(families, "process_open_fds");
  auto max = testing::Value(families, "process_max_fds");
  ASSERT_TRUE(fds && max);
  EXPECT_GE(*fds, 3);  // stdin, stdout, stderr at least
  EXPECT_LT(*fds, *max);
  // Started within the last hour (this test binary), not in the future.
  auto start = testing::Value(families, "process_start_time_seconds");
  ASSERT_TRUE(start.has_value());
  EXPECT_LE(*start, static_cast<double>(time(nullptr)) + 1);
  EXPECT_GT(*start, static_cast<double>(time(nullptr)) - 3600);
  EXPECT_TRUE(testing::Value(families, "process_cpu_seconds_total"));
}

// The count equals a listing of /proc/self/fd and follows open and close.
TEST(ProcessFamilies, OpenFdsFollowTheDescriptorTable) {
  auto listed = [] {
    DIR* dir = opendir("/proc/self/fd");
    int n = 0;
    while (const dirent* e = readdir(dir)) n += e->d_name[0] != '.';
    closedir(dir);
    return n - 1;  // the DIR's own
  };
  auto metric = [] {
    return testing::Value(ProcessFamilies(), "process_open_fds").value_or(-1);
  };
  (void)metric();  // the first call opens the descriptor it keeps
  const double before = metric();
  EXPECT_EQ(before, listed() - 1);  // not counting the kept one
  int extra[5];
  for (int& fd : extra) fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(metric(), before + 5);
  for (int fd : extra) close(fd);
  EXPECT_EQ(metric(), before);
}

// The CPU time is read from the kernel's running total (a process CPU timer
// keeps it): it must count every thread, those that ended too, and agree
// with getrusage(), which sums the threads itself.
TEST(ProcessFamilies, CpuTimeCountsEveryThreadEvenEndedOnes) {
  auto cpu = [] {
    return testing::Value(ProcessFamilies(), "process_cpu_seconds_total")
        .value_or(-1);
  };
  const double before = cpu();  // the first call arms the timer
  ASSERT_GE(before, 0);
  auto burn = [] {  // 50 ms of this thread's CPU
    timespec t{};
    do {
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    } while (t.tv_sec == 0 && t.tv_nsec < 50'000'000);
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) threads.emplace_back(burn);
  for (auto& t : threads) t.join();
  const double after = cpu();
  rusage ru{};
  ASSERT_EQ(getrusage(RUSAGE_SELF, &ru), 0);
  const double summed =
      static_cast<double>(ru.ru_utime.tv_sec) +
      static_cast<double>(ru.ru_stime.tv_sec) +
      static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  EXPECT_GE(after - before, 0.150);  // the three ended threads
  EXPECT_NEAR(after, summed, 0.010);
  // The timer that keeps the total: on this process's CPU clock (-6 is
  // its clock id) with SIGURG (23). /proc/<pid>/timers needs
  // CONFIG_CHECKPOINT_RESTORE, which Debian's kernels have.
  std::ifstream timers("/proc/self/timers");
  std::string text((std::istreambuf_iterator<char>(timers)),
                   std::istreambuf_iterator<char>());
  if (timers.is_open()) {
    EXPECT_NE(text.find("signal: 23/"), std::string::npos) << text;
    EXPECT_NE(text.find("ClockID: -6"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace nfce

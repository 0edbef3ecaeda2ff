// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/kernel_log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

// A view of this machine whose kernel log is `path`.
std::unique_ptr<KernelView> LogView(const std::string& path) {
  Paths p;
  p.kmsg = path;
  return std::make_unique<KernelView>(p);
}

std::string OwnNetns() {
  struct stat st;
  return stat("/proc/self/ns/net", &st) == 0 ? absl::StrCat(st.st_ino) : "0";
}

// A saved log: this namespace's lines and unnamed ones count, another
// namespace's do not; lines appended later are read on the next Read(), the
// ones before are not read again.
TEST(KernelLog, SavedFileReadOnceThenOnlyWhatIsNew) {
  char path[] = "/tmp/nfce-kernel-log-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string own = OwnNetns();
  {
    std::ofstream f(path);
    f << "[1.0] eth0: link up\n"
      << "[2.0] nf_conntrack: nf_conntrack: table full, dropping packet\n"
      << "[3.0] nf_conntrack: nf_conntrack: table full, dropping packet in "
         "netns 1,\n"
      << "[4.0] nf_conntrack: nf_conntrack: table full, dropping packet in "
         "netns "
      << own << ",\n";
  }
  auto view = LogView(path);
  KernelLog log(*view);
  auto first = log.Read();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->count, own == "1" ? 3 : 2);
  EXPECT_TRUE(first->unnamed_namespace);
  EXPECT_EQ(first->last,
            absl::StrCat("[4.0] nf_conntrack: nf_conntrack: table full, "
                         "dropping packet in netns ",
                         own, ","));
  const uint64_t after_first = log.bytes_read();

  auto again = log.Read();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->count, first->count);
  EXPECT_EQ(log.bytes_read(), after_first);  // nothing reread

  const std::string more =
      "[5.0] nf_conntrack: nf_conntrack: table full, dropping packet\n";
  std::ofstream(path, std::ios::app) << more;
  auto third = log.Read();
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->count, first->count + 1);
  EXPECT_EQ(log.bytes_read(), after_first + more.size());
  unlink(path);
}

// "expectation table full" contains "table full": it is the expectation
// table's line, never counted as the conntrack table's.
TEST(KernelLog, ExpectationLinesAreCountedApart) {
  char path[] = "/tmp/nfce-kernel-log-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << "[1.0] nf_conntrack: expectation table full\n"
                      << "[2.0] nf_conntrack: nf_conntrack: table full, "
                         "dropping packet\n"
                      << "[3.0] nf_conntrack: expectation table full\n";
  auto view = LogView(path);
  auto lines = KernelLog(*view).Read();
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_EQ(lines->count, 1);
  EXPECT_EQ(lines->expectation.count, 2);
  EXPECT_TRUE(lines->expectation.unnamed_namespace);
  EXPECT_EQ(lines->expectation.last,
            "[3.0] nf_conntrack: expectation table full");
  unlink(path);
}

TEST(KernelLog, RefusesWhatIsNotAKernelLog) {
  EXPECT_FALSE(KernelLog(*LogView("/proc")).Read().ok());  // a directory
  EXPECT_FALSE(KernelLog(*LogView("/nonexistent/kmsg")).Read().ok());
  // A character device without end or line: refused past 32 MiB.
  auto zero = KernelLog(*LogView("/dev/zero")).Read();
  EXPECT_TRUE(absl::IsResourceExhausted(zero.status())) << zero.status();
}

// /dev/kmsg (root only): the second Read() reads only records logged since
// the first, not the whole ring buffer again.
TEST(KernelLog, KmsgKeepsItsPlace) {
  auto view = LogView("/dev/kmsg");
  KernelLog log(*view);
  auto first = log.Read();
  if (!first.ok()) GTEST_SKIP() << "cannot read /dev/kmsg: " << first.status();
  const uint64_t whole = log.bytes_read();
  ASSERT_TRUE(log.Read().ok());
  const uint64_t since = log.bytes_read() - whole;
  EXPECT_LT(since, whole / 2 + 4096) << "the second read reread the log";
}

}  // namespace
}  // namespace nfce

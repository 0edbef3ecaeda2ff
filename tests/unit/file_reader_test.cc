// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/file_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace nfce {
namespace {

class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nfce-file-reader-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string dir_;
};

TEST_F(FileReaderTest, RefusesAFifoWithoutBlocking) {
  std::string fifo = dir_ + "/nf_conntrack_count";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // Nobody writes: a blocking open or read would hang the test here.
  auto direct = ReadFileToString(fifo);
  ASSERT_FALSE(direct.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(direct.status()));
  EXPECT_NE(direct.status().message().find("a FIFO"), std::string::npos);
  FileCache cache;
  EXPECT_TRUE(absl::IsFailedPrecondition(cache.Read(fifo).status()));
}

TEST_F(FileReaderTest, RefusesDevicesAndDirectories) {
  for (const char* path : {"/dev/zero", "/dev/null"}) {
    auto r = ReadFileToString(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_NE(r.status().message().find("a character device"),
              std::string::npos);
  }
  FileCache cache;
  auto r = cache.Read(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("a directory"), std::string::npos);
}

TEST_F(FileReaderTest, CapsTheSize) {
  std::string path = Write("big", std::string(10000, '7'));
  EXPECT_TRUE(ReadFileToString(path, 10000).ok());  // exactly the cap
  auto r = ReadFileToString(path, 9999);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(r.status()));
  EXPECT_NE(r.status().message().find("larger than 9999 bytes"),
            std::string::npos);
  FileCache cache;
  EXPECT_TRUE(absl::IsResourceExhausted(cache.Read(path, 4096).status()));
}

// Counted in pieces of 16 KiB: lines across a piece's end count once, a
// last line without its newline counts, and the cap holds.
TEST_F(FileReaderTest, CountsLinesInPieces) {
  FileCache cache;
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "297 l3proto = 2 proto=6 ftp\n";
  EXPECT_EQ(*cache.CountLines(Write("many", many), 1 << 20), 5000u);
  EXPECT_EQ(*cache.CountLines(Write("open", "a\nb"), 100), 2u);
  EXPECT_EQ(*cache.CountLines(Write("empty", ""), 100), 0u);
  auto big = cache.CountLines(Write("big", many), 1000);
  EXPECT_TRUE(absl::IsResourceExhausted(big.status())) << big.status();
  EXPECT_TRUE(absl::IsNotFound(cache.CountLines(dir_ + "/none", 100).status()));
  // Kept open, read again from the start: the same count.
  EXPECT_EQ(*cache.CountLines(dir_ + "/many", 1 << 20), 5000u);
}

TEST_F(FileReaderTest, SeesAFileReplacedByRenameAndSaysSo) {
  std::string path = Write("nf_conntrack_count", "1\n");
  FileCache cache;
  uint64_t g1 = 0, g2 = 0, g3 = 0;
  ASSERT_EQ(*cache.Read(path, 4096, &g1), "1\n");
  ASSERT_EQ(*cache.Read(path, 4096, &g2), "1\n");
  EXPECT_EQ(g1, g2);  // kept open, same file
  std::string next = Write("next", "2\n");
  ASSERT_EQ(std::rename(next.c_str(), path.c_str()), 0);
  EXPECT_EQ(*cache.Read(path, 4096, &g3), "2\n");
  EXPECT_NE(g3, g2);
}

TEST_F(FileReaderTest, KeptPseudoFilesAreReread) {
  FileCache cache;
  auto a = cache.Read("/proc/self/stat");
  auto b = cache.Read("/proc/self/stat");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->empty());
}

}  // namespace
}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/sysctl.h"

#include "gtest/gtest.h"
#include "unit/fixtures.h"

namespace nfce {
namespace {

TEST(ParseSysctlUint, ReadsValueWithTrailingNewline) {
  EXPECT_EQ(*ParseSysctlUint("262144\n"), 262144u);
  EXPECT_EQ(*ParseSysctlUint("  0\t\n"), 0u);
  EXPECT_EQ(*ParseSysctlUint("18446744073709551615"), UINT64_MAX);
}

TEST(ParseSysctlUint, RejectsEmptyNegativeAndGarbage) {
  EXPECT_EQ(ParseSysctlUint("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSysctlUint("\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSysctlUint("-5").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSysctlUint("12 34").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSysctlUint("0x10").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseSysctlUint, RejectsValuesBeyond64Bits) {
  absl::StatusOr<uint64_t> v = ParseSysctlUint("18446744073709551616");
  EXPECT_EQ(v.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(v.status().message().find("64-bit"), absl::string_view::npos);
}

TEST(KernelViewCount, NamesTheFileInErrors) {
  KernelView view(
      Paths{testing::FixturePath("malformed/table-huge-count/proc")});
  absl::StatusOr<uint64_t> v = view.Count(ConntrackFlavor::kNfConntrack);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find(
                "malformed/table-huge-count/proc/sys/net/netfilter/"
                "nf_conntrack_count"),
            absl::string_view::npos);
}

TEST(KernelViewCount, MissingFileIsNotFound) {
  KernelView view(Paths{testing::FixturePath("no/such/tree")});
  EXPECT_EQ(view.Count(ConntrackFlavor::kNfConntrack).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/parse/slab_parser.h"

#include <initializer_list>
#include <optional>
#include <string>

#include "collectors/kernel/kernel_view.h"
#include "gtest/gtest.h"
#include "unit/fixtures.h"

namespace nfce {
namespace {

using testing::ReadFixture;

TEST(IsConntrackCache, MatchesTableCachesOnly) {
  EXPECT_TRUE(IsConntrackCache("nf_conntrack"));
  EXPECT_TRUE(IsConntrackCache("ip_conntrack"));
  EXPECT_TRUE(IsConntrackCache("nf_conntrack_ffffffff81b23ec0"));
  EXPECT_FALSE(IsConntrackCache("nf_conntrack_expect"));
  EXPECT_FALSE(IsConntrackCache("ip_conntrack_expect"));
  EXPECT_FALSE(IsConntrackCache("nf_conntrack_"));
  EXPECT_FALSE(IsConntrackCache("kmalloc-256"));
  EXPECT_FALSE(IsConntrackCache("nf_conntrackX"));
}

TEST(ParseSlabinfo, Kernel618) {
  auto caches = ParseSlabinfo(ReadFixture("linux-6.18/proc/slabinfo"));
  ASSERT_TRUE(caches.ok()) << caches.status();
  ASSERT_EQ(caches->size(), 1u);
  const SlabCache& c = (*caches)[0];
  EXPECT_EQ(c.name, "nf_conntrack");
  EXPECT_EQ(c.active_objs, 12345u);
  EXPECT_EQ(c.num_objs, 12400u);
  EXPECT_EQ(c.objsize, 256u);
  EXPECT_EQ(c.pagesperslab, 1u);
  EXPECT_EQ(c.num_slabs, 775u);
}

TEST(ParseSlabinfo, PerNamespaceCachesOfOldKernels) {
  auto caches = ParseSlabinfo(ReadFixture("linux-2.6.32/proc/slabinfo"));
  ASSERT_TRUE(caches.ok()) << caches.status();
  ASSERT_EQ(caches->size(), 2u);
  EXPECT_EQ((*caches)[1].name, "nf_conntrack_ffffffff81b23ec0");
  EXPECT_EQ((*caches)[1].objsize, 312u);
}

TEST(ParseSlabinfo, NoConntrackCacheGivesEmptyList) {
  auto caches = ParseSlabinfo(ReadFixture("no-module/proc/slabinfo"));
  ASSERT_TRUE(caches.ok()) << caches.status();
  EXPECT_TRUE(caches->empty());
}

TEST(ParseSlabinfo, Malformed) {
  auto garbled =
      ParseSlabinfo(ReadFixture("malformed/slab-garbled/proc/slabinfo"));
  ASSERT_FALSE(garbled.ok());
  EXPECT_NE(garbled.status().message().find("\"2x6\""),
            absl::string_view::npos);
  EXPECT_FALSE(ParseSlabinfo("").ok());
  EXPECT_FALSE(ParseSlabinfo("slabinfo - version: 1.1\n").ok());
  EXPECT_FALSE(
      ParseSlabinfo("slabinfo - version: 2.1\nnf_conntrack 1 2 3\n").ok());
  EXPECT_FALSE(ParseSlabinfo("slabinfo - version: 2.1\nnf_conntrack 1 2 3 4 "
                             "99999999999999999999999 : tunables 0 0 0 : "
                             "slabdata 1 1 0\n")
                   .ok());
}

}  // namespace
}  // namespace nfce

namespace nfce {
namespace {

TEST(ParseSlabAttribute, TakesTheFirstField) {
  EXPECT_EQ(*ParseSlabAttribute("64 N0=64\n"), 64u);
  EXPECT_EQ(*ParseSlabAttribute("256\n"), 256u);
  EXPECT_FALSE(ParseSlabAttribute("").ok());
  EXPECT_FALSE(ParseSlabAttribute("N0=64").ok());
  EXPECT_FALSE(ParseSlabAttribute("-1\n").ok());
}

std::string Auxv(std::initializer_list<uint64_t> words) {
  std::string out;
  for (uint64_t w : words) out.append(reinterpret_cast<const char*>(&w), 8);
  return out;
}

TEST(ParseAuxvPageSize, FindsAtPageszBeforeAtNull) {
  EXPECT_EQ(ParseAuxvPageSize(Auxv({33, 0x7ffc0000, 6, 65536, 0, 0})),
            std::optional<uint64_t>(65536));
  EXPECT_EQ(ParseAuxvPageSize(Auxv({6, 4096, 0, 0})),
            std::optional<uint64_t>(4096));
  // After AT_NULL, not a power of two, cut short: none.
  EXPECT_FALSE(ParseAuxvPageSize(Auxv({0, 0, 6, 4096})).has_value());
  EXPECT_FALSE(ParseAuxvPageSize(Auxv({6, 5000, 0, 0})).has_value());
  EXPECT_FALSE(ParseAuxvPageSize(Auxv({6, 4096}).substr(0, 12)).has_value());
}

TEST(SlabBytes, UsesTheTreesPageSize) {
  auto caches =
      KernelView(testing::FixtureTree("linux-6.18-arm64-64k")).SlabCaches();
  ASSERT_TRUE(caches.ok()) << caches.status();
  for (const SlabCache& c : *caches) {
    EXPECT_EQ(c.page_size, 65536u);
    if (c.name == "nf_conntrack") {
      EXPECT_EQ(SlabBytes(c), 49.0 * 65536);
    }
  }
}

}  // namespace
}  // namespace nfce

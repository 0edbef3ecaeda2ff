// SPDX-License-Identifier: Apache-2.0
#include "collectors/kernel/counter_wrap.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(WrapTracker, FirstReadingIsTakenAsItIs) {
  WrapTracker t;
  EXPECT_EQ(t.Update("drop", 0, 42), 42u);
  EXPECT_EQ(t.Update("drop", 0, 50), 50u);
}

TEST(WrapTracker, CarriesOnPastA32BitWrap) {
  WrapTracker t;
  EXPECT_EQ(t.Update("insert", 1, 0xfffffff0u), 0xfffffff0u);
  // The per-CPU counter wrapped: 0x10 more to reach 2^32, then 5 more.
  EXPECT_EQ(t.Update("insert", 1, 5), 0x100000005u);
  EXPECT_EQ(t.Update("insert", 1, 6), 0x100000006u);
}

TEST(WrapTracker, KeepsCountersAndCpusApart) {
  WrapTracker t;
  t.Update("insert", 0, 100);
  t.Update("insert", 1, 7);
  t.Update("drop", 0, 3);
  EXPECT_EQ(t.Update("insert", 0, 101), 101u);
  EXPECT_EQ(t.Update("insert", 1, 8), 8u);
  EXPECT_EQ(t.Update("drop", 0, 3), 3u);
}

TEST(WrapTracker, ResetForgetsHistory) {
  WrapTracker t;
  t.Update("drop", 0, 0xffffffffu);
  t.Reset();
  EXPECT_EQ(t.Update("drop", 0, 2), 2u);
}

TEST(WrapTracker, TellsARestartFromAWrap) {
  const std::vector<std::string> names = {"found", "insert", "drop"};
  WrapTracker t;
  for (size_t i = 0; i < names.size(); ++i) {
    t.Update(names[i], 0, std::vector<uint32_t>{0xfffffff0u, 500, 0}[i]);
  }
  // One counter past 2^32 by a few events: a wrap.
  EXPECT_FALSE(t.LooksLikeRestart(0, names, {0x10, 510, 0}));
  // Two counters down at once: a restart (a reload zeroes them all).
  EXPECT_TRUE(t.LooksLikeRestart(0, names, {0x10, 3, 0}));
  // One counter down further than a wrap between two reads explains.
  EXPECT_TRUE(t.LooksLikeRestart(0, names, {0xfffffff0u, 2, 0}));
  // Nothing down, or a CPU never seen: no restart.
  EXPECT_FALSE(t.LooksLikeRestart(0, names, {0xfffffff1u, 501, 1}));
  EXPECT_FALSE(t.LooksLikeRestart(7, names, {0, 0, 0}));
}

}  // namespace
}  // namespace nfce

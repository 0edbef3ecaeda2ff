#include "collectors/counter_wrap.h"

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

}  // namespace
}  // namespace nfce

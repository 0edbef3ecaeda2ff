// SPDX-License-Identifier: Apache-2.0
#include "collectors/periodic_task.h"

#include <poll.h>

#include <atomic>
#include <memory>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace nfce {
namespace {

// Polls `done` until it holds, at most 10 s: a deadline, not a sleep.
template <typename Done>
bool Eventually(Done done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(PeriodicTask, RunsAtOnceThenAgainUntilDestroyed) {
  std::atomic<int> runs{0};
  std::atomic<bool> destroyed{false}, ran_after{false};
  auto task = std::make_unique<PeriodicTask>(absl::Milliseconds(1), [&] {
    ran_after = ran_after || destroyed;
    ++runs;
  });
  ASSERT_TRUE(Eventually([&] { return runs.load() >= 3; }));
  task.reset();  // joins: no run may start after this returns
  destroyed = true;
  EXPECT_FALSE(ran_after.load());
}

// A long interval does not hold up the stop: the pause is woken.
TEST(PeriodicTask, StopsDuringAPauseOfAnHour) {
  std::atomic<int> runs{0};
  auto task =
      std::make_unique<PeriodicTask>(absl::Hours(1), [&runs] { ++runs; });
  ASSERT_TRUE(Eventually([&] { return runs.load() == 1; }));
  task.reset();  // would block for an hour if the pause were a sleep
  EXPECT_EQ(runs.load(), 1);
}

// A body that blocks in poll() on stop_fd() alone (no timeout) is woken by
// the stop: the one stop path reaches it too.
TEST(PeriodicTask, StopFdWakesABodyThatBlocks) {
  std::atomic<bool> entered{false}, left{false};
  PeriodicTask* self = nullptr;
  std::atomic<bool> ready{false};
  auto task = std::make_unique<PeriodicTask>(absl::Hours(1), [&] {
    while (!ready.load()) absl::SleepFor(absl::Milliseconds(1));
    entered = true;
    pollfd p{self->stop_fd(), POLLIN, 0};
    while (!self->stopping()) poll(&p, 1, -1);
    left = true;
  });
  self = task.get();
  ready = true;
  ASSERT_TRUE(Eventually([&] { return entered.load(); }));
  EXPECT_GE(task->stop_fd(), 0);
  EXPECT_FALSE(task->stopping());
  task.reset();
  EXPECT_TRUE(left.load());
}

}  // namespace
}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "collectors/kernel/file_reader.h"

namespace nfce {

// Every background refresh of the exporter: runs `body` on a thread of its
// own at once, then again after the pause each run returns, until the task
// is destroyed. Destruction is the one stop path: it wakes the pause (and a
// body that waits on stop_fd()) and joins the thread. Declare it as the
// last member of its owner, so that it stops before what the body uses goes.
class PeriodicTask {
 public:
  // `body` returns how long to pause before its next run.
  explicit PeriodicTask(std::function<absl::Duration()> body);
  // The same pause every time.
  PeriodicTask(absl::Duration interval, std::function<void()> body);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  bool stopping() const { return stop_.HasBeenNotified(); }
  // Becomes readable when the task is stopping: for a body that blocks in
  // poll() on a descriptor of its own, so that it needs no timeout to notice.
  int stop_fd() const { return stop_event_.get(); }

 private:
  void Run();

  const std::function<absl::Duration()> body_;
  absl::Notification stop_;
  Fd stop_event_;
  std::thread thread_;  // last: starts once the rest is set up
};

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "collectors/periodic_task.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace nfce {

PeriodicTask::PeriodicTask(std::function<absl::Duration()> body)
    : body_(std::move(body)),
      stop_event_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      thread_([this] { Run(); }) {}

PeriodicTask::PeriodicTask(absl::Duration interval, std::function<void()> body)
    : PeriodicTask([interval, body = std::move(body)] {
        body();
        return interval;
      }) {}

PeriodicTask::~PeriodicTask() {
  stop_.Notify();
  if (stop_event_.get() >= 0) {
    const uint64_t one = 1;
    (void)!write(stop_event_.get(), &one, sizeof(one));
  }
  thread_.join();
}

void PeriodicTask::Run() {
  while (!stopping()) {
    stop_.WaitForNotificationWithTimeout(body_());
  }
}

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "collectors/kernel/file_reader.h"
#include "collectors/kernel/kernel_view.h"
#include "gtest/gtest.h"

namespace nfce::testing {

inline std::string FixturePath(const std::string& relative) {
  return std::string(NFCE_FIXTURES) + "/" + relative;
}

// The text of a fixture file; fails the test if it cannot be read.
inline std::string ReadFixture(const std::string& relative) {
  absl::StatusOr<std::string> text = ReadFileToString(FixturePath(relative));
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : std::string();
}

// procfs and sysfs roots of one fixture tree.
inline Paths FixtureTree(const std::string& name) {
  return Paths{FixturePath(name + "/proc"), FixturePath(name + "/sys")};
}

// A kernel view of one fixture tree.
inline std::shared_ptr<KernelView> FixtureView(const std::string& name) {
  return std::make_shared<KernelView>(FixtureTree(name));
}

}  // namespace nfce::testing

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "collectors/file_reader.h"
#include "collectors/paths.h"
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

}  // namespace nfce::testing

// SPDX-License-Identifier: Apache-2.0
#include "exporter/log.h"

#include <string>

#include "gtest/gtest.h"

namespace nfce {
namespace {

TEST(FormatLogRecord, QuotesAndEscapes) {
  EXPECT_EQ(
      FormatLogRecord(LogLevel::kError, "collector failed",
                      {{"collector", "stat"}, {"err", "say \"hi\" \\ ok"}}),
      "level=error msg=\"collector failed\" collector=\"stat\" "
      "err=\"say \\\"hi\\\" \\\\ ok\"");
}

TEST(FormatLogRecord, EveryControlByteIsEscapedSoARecordStaysOneLine) {
  static constexpr char kNasty[] = "a\0b\nc\rd\te\vf\x1b[31mg\x7fh";
  const std::string nasty(kNasty, sizeof(kNasty) - 1);
  std::string line = FormatLogRecord(LogLevel::kWarn, "m", {{"err", nasty}});
  EXPECT_EQ(
      line,
      "level=warn msg=\"m\" err=\"a\\x00b\\nc\\rd\\te\\x0bf\\x1b[31mg\\x7fh\"");
  for (char c : line) {
    EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 ||
                 static_cast<unsigned char>(c) == 0x7f)
        << static_cast<int>(c);
  }
}

}  // namespace
}  // namespace nfce

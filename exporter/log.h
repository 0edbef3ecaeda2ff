// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nfce {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };

// Every level with its name ("debug", ...), lowest first.
std::vector<std::pair<std::string, LogLevel>> LogLevelNames();
void SetLogLevel(LogLevel level);

using LogFields = std::vector<std::pair<absl::string_view, absl::string_view>>;

// One logfmt line on stderr: ts=... level=... msg="..." key="value" ...
void Log(LogLevel level, absl::string_view msg, const LogFields& fields = {});

// The logfmt line Log() writes, without the time stamp and the newline
// (for tests).
std::string FormatLogRecord(LogLevel level, absl::string_view msg,
                            const LogFields& fields);

}  // namespace nfce

// SPDX-License-Identifier: Apache-2.0
#include "exporter/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nfce {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};

// In the order of LogLevel.
constexpr absl::string_view kLevelNames[] = {"debug", "info", "warn", "error"};

absl::string_view LevelName(LogLevel level) {
  return kLevelNames[static_cast<int>(level)];
}

// Values can hold file content (a parse error quotes it): every control
// byte is escaped, so that one record stays one line, whatever it quotes.
void AppendQuoted(std::string* out, absl::string_view value) {
  out->push_back('"');
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
      case '\\':
        out->push_back('\\');
        out->push_back(c);
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          absl::StrAppend(out, absl::StrFormat("\\x%02x", u));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

std::vector<std::pair<std::string, LogLevel>> LogLevelNames() {
  std::vector<std::pair<std::string, LogLevel>> out;
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    out.emplace_back(LevelName(l), l);
  }
  return out;
}

void SetLogLevel(LogLevel level) { g_level = level; }

std::string FormatLogRecord(LogLevel level, absl::string_view msg,
                            const LogFields& fields) {
  std::string line = absl::StrCat("level=", LevelName(level), " msg=");
  AppendQuoted(&line, msg);
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, " ", key, "=");
    AppendQuoted(&line, value);
  }
  return line;
}

void Log(LogLevel level, absl::string_view msg, const LogFields& fields) {
  if (level < g_level.load()) return;
  std::string line =
      absl::StrCat("ts=",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   " ", FormatLogRecord(level, msg, fields), "\n");
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  // fwrite, not fputs: the length, not a NUL, ends the record.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace nfce

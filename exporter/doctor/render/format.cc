// SPDX-License-Identifier: Apache-2.0
#include "exporter/doctor/render/format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace nfce {

std::string FormatMiB(double bytes) {
  return absl::StrFormat("%.1f MiB", bytes / (1024.0 * 1024.0));
}

std::string Percent(double share) {
  return absl::StrFormat("%.1f%%", share * 100);
}

std::string Percent(uint64_t part, uint64_t whole) {
  return Percent(whole ? static_cast<double>(part) / whole : 0);
}

std::string Duration(uint64_t s) {
  if (s >= 86400 && s % 86400 == 0) return absl::StrCat(s / 86400, " d");
  if (s >= 3600 && s % 3600 == 0) return absl::StrCat(s / 3600, " h");
  if (s >= 60 && s % 60 == 0) return absl::StrCat(s / 60, " min");
  return absl::StrCat(s, " s");
}

std::string AtLeast(uint64_t n, uint64_t error) {
  return error ? absl::StrCat(n, " to ", n + error) : absl::StrCat(n);
}

}  // namespace nfce

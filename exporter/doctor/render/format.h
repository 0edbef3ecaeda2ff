// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace nfce {

std::string FormatMiB(double bytes);  // "264.0 MiB"
std::string Percent(double share);    // 0.5 -> "50.0%"
std::string Percent(uint64_t part, uint64_t whole);
std::string Duration(uint64_t seconds);  // 432000 -> "5 d", 36000 -> "10 h"
// A least count and how much more the truth may be (past the top lists'
// capacity): "5000", or "5000 to 5012".
std::string AtLeast(uint64_t n, uint64_t error);

}  // namespace nfce

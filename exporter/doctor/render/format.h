// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

namespace nfce {

std::string FormatMiB(double bytes);  // "264.0 MiB"
std::string Percent(double share);    // 0.5 -> "50.0%"
std::string Percent(uint64_t part, uint64_t whole);
std::string Duration(uint64_t seconds);  // 432000 -> "5 d", 36000 -> "10 h"

}  // namespace nfce

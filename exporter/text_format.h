// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "prometheus/metric_family.h"

namespace nfce {

// Appends `families` in the Prometheus text format (0.0.4) to `out`, byte
// for byte as prometheus-cpp's TextSerializer writes them (a unit test
// compares the two on every metric type, label escaping, NaN, infinities,
// timestamps). Not TextSerializer itself: it writes through an ostream, a
// sentry and a locale-aware float conversion per token (its share of a
// scrape: docs/performance.md, "Figures behind the code"); this appends to
// one string and writes the integers most samples are with a plain integer
// conversion.
void AppendText(const std::vector<prometheus::MetricFamily>& families,
                std::string* out);

}  // namespace nfce

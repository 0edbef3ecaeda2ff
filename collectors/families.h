// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "prometheus/metric_family.h"

namespace nfce {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;

prometheus::MetricFamily GaugeFamily(std::string name, std::string help);
prometheus::MetricFamily CounterFamily(std::string name, std::string help);

// Adds one sample, stored as gauge or counter according to the family type.
void AddSample(prometheus::MetricFamily* family, double value,
               const LabelPairs& labels = {});

// A family holding a single unlabelled sample.
prometheus::MetricFamily SingleGauge(std::string name, std::string help,
                                     double value);

}  // namespace nfce

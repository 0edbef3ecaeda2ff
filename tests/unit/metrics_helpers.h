// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/families.h"
#include "prometheus/metric_family.h"

namespace nfce::testing {

inline const prometheus::MetricFamily* FindFamily(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The value of the sample of `name` whose labels include all of `labels`.
inline std::optional<double> Value(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name, const LabelPairs& labels = {}) {
  const prometheus::MetricFamily* f = FindFamily(families, name);
  if (f == nullptr) return std::nullopt;
  for (const auto& m : f->metric) {
    bool match = true;
    for (const auto& [k, v] : labels) {
      bool found = false;
      for (const auto& l : m.label) found |= (l.name == k && l.value == v);
      match &= found;
    }
    if (!match) continue;
    return f->type == prometheus::MetricType::Counter ? m.counter.value
                                                      : m.gauge.value;
  }
  return std::nullopt;
}

}  // namespace nfce::testing

// SPDX-License-Identifier: Apache-2.0
#include "collectors/families.h"

namespace nfce {

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Gauge;
  return f;
}

prometheus::MetricFamily CounterFamily(std::string name, std::string help) {
  prometheus::MetricFamily f = GaugeFamily(std::move(name), std::move(help));
  f.type = prometheus::MetricType::Counter;
  return f;
}

void AddSample(prometheus::MetricFamily* family, double value,
               const LabelPairs& labels) {
  prometheus::ClientMetric m;
  for (const auto& [name, val] : labels) m.label.push_back({name, val});
  if (family->type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family->metric.push_back(std::move(m));
}

prometheus::MetricFamily SingleGauge(std::string name, std::string help,
                                     double value) {
  prometheus::MetricFamily f = GaugeFamily(std::move(name), std::move(help));
  AddSample(&f, value);
  return f;
}

}  // namespace nfce

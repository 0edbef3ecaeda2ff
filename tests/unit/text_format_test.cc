// SPDX-License-Identifier: Apache-2.0
// Our text writer against prometheus-cpp's TextSerializer: byte-equal on
// every metric type, label escaping, special and random values.
#include "exporter/text_format.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>

#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"

namespace nfce {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string Reference(const std::vector<MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

std::string Ours(const std::vector<MetricFamily>& families) {
  std::string out;
  AppendText(families, &out);
  return out;
}

MetricFamily Gauges(const std::vector<double>& values) {
  MetricFamily f{"g", "values of every kind", MetricType::Gauge, {}};
  for (double v : values) {
    ClientMetric m;
    m.gauge.value = v;
    f.metric.push_back(m);
  }
  return f;
}

TEST(AppendText, SpecialValuesAsTheReference) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<MetricFamily> families = {
      Gauges({0.0,
              -0.0,
              1,
              -1,
              12345,
              999999999999999,
              1e15,
              -1e15,
              1e16,
              9007199254740993.0,
              0.1,
              1.0 / 3,
              1e-7,
              123456789.123,
              0.5,
              std::nan(""),
              inf,
              -inf,
              std::numeric_limits<double>::denorm_min(),
              std::numeric_limits<double>::max(),
              std::numeric_limits<double>::lowest(),
              4.8828125,
              0.04709243774414062,
              17179869192.0}),
  };
  EXPECT_EQ(Ours(families), Reference(families));
}

TEST(AppendText, RandomValuesAsTheReference) {
  std::mt19937_64 rng(42);
  std::vector<double> values;
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double v;
    std::memcpy(&v, &bits, sizeof(v));  // any double, NaNs included
    values.push_back(v);
    values.push_back(static_cast<double>(bits >> (rng() % 64)));  // integers
    values.push_back(static_cast<double>(rng() % 100000) / 1000);
  }
  std::vector<MetricFamily> families = {Gauges(values)};
  EXPECT_EQ(Ours(families), Reference(families));
}

TEST(AppendText, EveryTypeLabelsAndTimestampsAsTheReference) {
  MetricFamily counter{"c_total", "a counter", MetricType::Counter, {}};
  ClientMetric m;
  m.label = {{"path", "a\\b\"c\nd"}, {"empty", ""}};
  m.counter.value = 7;
  counter.metric.push_back(m);
  m.timestamp_ms = 1700000000123;
  counter.metric.push_back(m);

  MetricFamily untyped{"u", "", MetricType::Untyped, {}};
  ClientMetric u;
  u.untyped.value = 2.5;
  untyped.metric.push_back(u);

  MetricFamily summary{"s", "a summary", MetricType::Summary, {}};
  ClientMetric s;
  s.label = {{"x", "y"}};
  s.summary.sample_count = 3;
  s.summary.sample_sum = 1.25;
  s.summary.quantile = {{0.5, 0.1}, {0.99, 0.9}};
  summary.metric.push_back(s);

  MetricFamily histogram{"h", "a histogram", MetricType::Histogram, {}};
  ClientMetric h;
  h.histogram.sample_count = 10;
  h.histogram.sample_sum = 123.5;
  h.histogram.bucket = {{1, 60}, {4, 3600}, {10, 432000}};
  histogram.metric.push_back(h);
  h.label = {{"protocol", "tcp"}};
  h.histogram.bucket.push_back({10, std::numeric_limits<double>::infinity()});
  histogram.metric.push_back(h);

  std::vector<MetricFamily> families = {counter, untyped, summary, histogram};
  std::string ours = Ours(families);
  EXPECT_EQ(ours, Reference(families));
  EXPECT_NE(ours.find("h_bucket{le=\"+Inf\"} 10\n"), std::string::npos);
}

}  // namespace
}  // namespace nfce

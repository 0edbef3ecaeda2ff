// SPDX-License-Identifier: Apache-2.0
#include "exporter/text_format.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "absl/strings/str_cat.h"

namespace nfce {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// As an ostream with precision max_digits10 - 1 (16) and the default float
// format writes it, that is printf's "%.16g"; "Nan", "+Inf", "-Inf" as
// prometheus-cpp spells them. Integers below 1e15 come out of "%.16g" as
// their plain digits: those skip the float conversion.
void AppendValue(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("Nan");
  } else if (std::isinf(v)) {
    out->append(v < 0 ? "-Inf" : "+Inf");
  } else if (std::fabs(v) < 1e15 && v == std::trunc(v) &&
             !(v == 0 && std::signbit(v))) {
    absl::StrAppend(out, static_cast<int64_t>(v));
  } else {
    char buf[32];
    int n = std::snprintf(buf, sizeof(buf), "%.*g",
                          std::numeric_limits<double>::max_digits10 - 1, v);
    out->append(buf, static_cast<size_t>(n));
  }
}

// Label values: backslash, double quote and line feed escaped.
void AppendEscaped(const std::string& value, std::string* out) {
  for (char c : value) {
    if (c == '\n') {
      out->append("\\n");
      continue;
    }
    if (c == '\\' || c == '"') out->push_back('\\');
    out->push_back(c);
  }
}

// Name, suffix and labels, with one extra label (le, quantile) if given.
void AppendHead(const MetricFamily& family, const ClientMetric& metric,
                const char* suffix, std::string* out,
                const char* extra_name = nullptr, double extra_value = 0,
                const char* extra_text = nullptr) {
  absl::StrAppend(out, family.name, suffix);
  if (!metric.label.empty() || extra_name != nullptr) {
    out->push_back('{');
    const char* sep = "";
    for (const auto& lp : metric.label) {
      absl::StrAppend(out, sep, lp.name, "=\"");
      AppendEscaped(lp.value, out);
      out->push_back('"');
      sep = ",";
    }
    if (extra_name != nullptr) {
      absl::StrAppend(out, sep, extra_name, "=\"");
      if (extra_text != nullptr) {
        out->append(extra_text);
      } else {
        AppendValue(extra_value, out);
      }
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
}

void AppendTail(const ClientMetric& metric, std::string* out) {
  if (metric.timestamp_ms != 0) absl::StrAppend(out, " ", metric.timestamp_ms);
  out->push_back('\n');
}

void AppendSample(const MetricFamily& family, const ClientMetric& metric,
                  double value, std::string* out) {
  AppendHead(family, metric, "", out);
  AppendValue(value, out);
  AppendTail(metric, out);
}

void AppendCount(const MetricFamily& family, const ClientMetric& metric,
                 const char* suffix, uint64_t count, std::string* out,
                 const char* extra_name = nullptr, double extra_value = 0,
                 const char* extra_text = nullptr) {
  AppendHead(family, metric, suffix, out, extra_name, extra_value, extra_text);
  absl::StrAppend(out, count);
  AppendTail(metric, out);
}

void AppendFamily(const MetricFamily& family, std::string* out) {
  if (!family.help.empty()) {
    absl::StrAppend(out, "# HELP ", family.name, " ", family.help, "\n");
  }
  const char* type = "untyped";
  switch (family.type) {
    case MetricType::Counter:
      type = "counter";
      break;
    case MetricType::Gauge:
      type = "gauge";
      break;
    case MetricType::Summary:
      type = "summary";
      break;
    case MetricType::Histogram:
      type = "histogram";
      break;
    case MetricType::Untyped:
      break;
  }
  absl::StrAppend(out, "# TYPE ", family.name, " ", type, "\n");
  for (const ClientMetric& m : family.metric) {
    switch (family.type) {
      case MetricType::Counter:
        AppendSample(family, m, m.counter.value, out);
        break;
      case MetricType::Gauge:
        AppendSample(family, m, m.gauge.value, out);
        break;
      case MetricType::Untyped:
        AppendSample(family, m, m.untyped.value, out);
        break;
      case MetricType::Summary: {
        AppendCount(family, m, "_count", m.summary.sample_count, out);
        AppendHead(family, m, "_sum", out);
        AppendValue(m.summary.sample_sum, out);
        AppendTail(m, out);
        for (const auto& q : m.summary.quantile) {
          AppendHead(family, m, "", out, "quantile", q.quantile);
          AppendValue(q.value, out);
          AppendTail(m, out);
        }
        break;
      }
      case MetricType::Histogram: {
        AppendCount(family, m, "_count", m.histogram.sample_count, out);
        AppendHead(family, m, "_sum", out);
        AppendValue(m.histogram.sample_sum, out);
        AppendTail(m, out);
        double last = -std::numeric_limits<double>::infinity();
        for (const auto& b : m.histogram.bucket) {
          AppendCount(family, m, "_bucket", b.cumulative_count, out, "le",
                      b.upper_bound);
          last = b.upper_bound;
        }
        if (last != std::numeric_limits<double>::infinity()) {
          AppendCount(family, m, "_bucket", m.histogram.sample_count, out, "le",
                      0, "+Inf");
        }
        break;
      }
    }
  }
}

}  // namespace

void AppendText(const std::vector<MetricFamily>& families, std::string* out) {
  for (const MetricFamily& f : families) AppendFamily(f, out);
}

}  // namespace nfce

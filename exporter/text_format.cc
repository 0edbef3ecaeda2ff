// SPDX-License-Identifier: Apache-2.0
#include "exporter/text_format.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>

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

// Name, suffix and labels, with one extra label (le, quantile) if named.
void AppendHead(const MetricFamily& family, const ClientMetric& metric,
                const char* suffix, const char* extra_name, double extra_value,
                std::string* out) {
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
      AppendValue(extra_value, out);
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

// One sample line. Counts (of summaries and histograms) are written as
// integers whatever their size, as prometheus-cpp writes its uint64s.
template <typename Value>
void AppendSample(const MetricFamily& family, const ClientMetric& metric,
                  const char* suffix, Value value, std::string* out,
                  const char* extra_name = nullptr, double extra_value = 0) {
  AppendHead(family, metric, suffix, extra_name, extra_value, out);
  if constexpr (std::is_same_v<Value, uint64_t>) {
    absl::StrAppend(out, value);
  } else {
    AppendValue(value, out);
  }
  AppendTail(metric, out);
}

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Untyped:
      break;
  }
  return "untyped";
}

void AppendFamily(const MetricFamily& family, std::string* out) {
  if (!family.help.empty()) {
    absl::StrAppend(out, "# HELP ", family.name, " ", family.help, "\n");
  }
  absl::StrAppend(out, "# TYPE ", family.name, " ", TypeName(family.type),
                  "\n");
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (const ClientMetric& m : family.metric) {
    switch (family.type) {
      case MetricType::Counter:
        AppendSample(family, m, "", m.counter.value, out);
        break;
      case MetricType::Gauge:
        AppendSample(family, m, "", m.gauge.value, out);
        break;
      case MetricType::Untyped:
        AppendSample(family, m, "", m.untyped.value, out);
        break;
      case MetricType::Summary:
        AppendSample(family, m, "_count", m.summary.sample_count, out);
        AppendSample(family, m, "_sum", m.summary.sample_sum, out);
        for (const auto& q : m.summary.quantile) {
          AppendSample(family, m, "", q.value, out, "quantile", q.quantile);
        }
        break;
      case MetricType::Histogram: {
        AppendSample(family, m, "_count", m.histogram.sample_count, out);
        AppendSample(family, m, "_sum", m.histogram.sample_sum, out);
        double last = -kInf;
        for (const auto& b : m.histogram.bucket) {
          AppendSample(family, m, "_bucket", b.cumulative_count, out, "le",
                       b.upper_bound);
          last = b.upper_bound;
        }
        if (last != kInf) {
          AppendSample(family, m, "_bucket", m.histogram.sample_count, out,
                       "le", kInf);
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

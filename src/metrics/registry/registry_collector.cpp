#include "metrics/registry/registry_collector.h"

#include <limits>

namespace observo::metrics {
namespace {

MetricType convert_type(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return MetricType::kCounter;
    case prometheus::MetricType::Gauge: return MetricType::kGauge;
    case prometheus::MetricType::Histogram: return MetricType::kHistogram;
    case prometheus::MetricType::Summary: return MetricType::kSummary;
    case prometheus::MetricType::Untyped: return MetricType::kUntyped;
  }
  return MetricType::kUntyped;
}

Series convert_metric(prometheus::MetricType type, const prometheus::ClientMetric& metric) {
  Series series;
  series.labels.reserve(metric.label.size());
  for (const auto& label : metric.label) series.labels.push_back({label.name, label.value});
  series.labels = make_labels(std::move(series.labels));
  switch (type) {
    case prometheus::MetricType::Counter: series.value = metric.counter.value; break;
    case prometheus::MetricType::Gauge: series.value = metric.gauge.value; break;
    case prometheus::MetricType::Untyped: series.value = metric.untyped.value; break;
    case prometheus::MetricType::Histogram:
      series.sum = metric.histogram.sample_sum;
      series.count = static_cast<double>(metric.histogram.sample_count);
      for (const auto& bucket : metric.histogram.bucket) {
        if (bucket.upper_bound == std::numeric_limits<double>::infinity()) continue;
        series.buckets.push_back(
            {bucket.upper_bound, static_cast<double>(bucket.cumulative_count)});
      }
      break;
    case prometheus::MetricType::Summary:
      series.sum = metric.summary.sample_sum;
      series.count = static_cast<double>(metric.summary.sample_count);
      for (const auto& q : metric.summary.quantile) series.quantiles.push_back({q.quantile, q.value});
      break;
  }
  return series;
}

}  // namespace

Snapshot to_snapshot(const std::vector<prometheus::MetricFamily>& families) {
  Snapshot snapshot;
  snapshot.families.reserve(families.size());
  for (const auto& in : families) {
    Family family;
    family.name = in.name;
    family.help = in.help;
    family.type = convert_type(in.type);
    // prometheus-cpp names counters without checking the suffix; the exposition wants _total.
    family.series.reserve(in.metric.size());
    for (const auto& metric : in.metric) family.series.push_back(convert_metric(in.type, metric));
    snapshot.families.push_back(std::move(family));
  }
  return snapshot;
}

SnapshotPtr RegistryCollector::collect() {
  return std::make_shared<const Snapshot>(to_snapshot(registry_.Collect()));
}

}  // namespace observo::metrics

// Plain data that every source hands to the registry and every encoder reads.
//
// A Snapshot is an immutable set of metric families. Sources that produce whole result sets
// (script results, kernel map reads, OTLP batches, X-Ray windows) build one and publish it to
// the Hub as a shared_ptr<const Snapshot>; a scrape holds the pointer while it encodes, so it
// never blocks the source and never copies series one by one.
//
// Naming follows the Prometheus text format 0.0.4: a counter family is named with its
// `_total` suffix (the OpenMetrics encoder derives the family name by stripping it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace observo::metrics {

enum class MetricType { kCounter, kGauge, kHistogram, kSummary, kUntyped };

std::string_view type_name(MetricType type);  // "counter", "gauge", ... (0.0.4 spelling)

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};

// Sorted by name, names unique. Use make_labels() to build one from arbitrary input.
using Labels = std::vector<Label>;
Labels make_labels(std::vector<Label> labels);

struct Bucket {
  double upper_bound = 0;       // finite; the +Inf bucket is implicit and equals Series::count
  double cumulative_count = 0;  // observations <= upper_bound
};

struct Quantile {
  double quantile = 0;  // in [0, 1]
  double value = 0;
};

struct Series {
  Labels labels;
  double value = 0;  // counter, gauge, untyped

  // Histogram (buckets ascending) and summary (quantiles ascending).
  std::vector<Bucket> buckets;
  std::vector<Quantile> quantiles;
  double sum = 0;
  double count = 0;
};

struct Family {
  std::string name;  // valid Prometheus metric name; counters end in _total
  std::string help;
  MetricType type = MetricType::kUntyped;
  std::vector<Series> series;
};

struct Snapshot {
  std::vector<Family> families;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// Checks names the way Prometheus does: metric [a-zA-Z_:][a-zA-Z0-9_:]*,
// label [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__".
bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);

}  // namespace observo::metrics

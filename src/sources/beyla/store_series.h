// What the metric store holds per series, and how one OTLP data point updates it: the
// temporality rules (latest cumulative point wins, delta points add up when they do not
// overlap), histogram bucket handling and the conversion to a snapshot Series. Kept apart
// from the store's bookkeeping (families, limits, expiry) in metric_store.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "opentelemetry/proto/metrics/v1/metrics.pb.h"
#include "sources/beyla/histogram_exponential.h"

namespace observo::beyla {

inline constexpr std::size_t kMaxHistogramBounds = 4096;

struct StoredSeries {
  metrics::Labels labels;
  std::chrono::steady_clock::time_point updated;  // last point taken in (expiry)
  std::uint64_t time_ns = 0;                      // newest point time seen
  double value = 0;
  std::vector<double> bounds;      // classic histogram: finite, ascending
  std::vector<double> cumulative;  // one per bound
  std::unique_ptr<ExpHistogram> exp;
  std::vector<metrics::Quantile> quantiles;
  double sum = 0;
  double count = 0;
};

struct StoredFamily {
  metrics::MetricType type = metrics::MetricType::kGauge;
  bool exponential = false;  // histograms: from ExponentialHistogram points
  std::string help;
  std::unordered_map<std::string, StoredSeries> series;  // by PointLabels key
};

enum class PointResult {
  kApplied,
  kIgnored,     // cumulative point older than the held one: nothing to do
  kMisaligned,  // delta point overlapping what was already added: rejected
};

inline constexpr const char* kMisalignedReason =
    "delta point starts before the end of the previous one (overlap or out of order)";

// Scratch buffers reused across points (one per store, used under its lock).
struct PointScratch {
  std::vector<double> bounds;
  std::vector<double> cumulative;
};

// `created`: the series is new (the point is taken as it is).
PointResult apply_point(StoredSeries& series,
                        const opentelemetry::proto::metrics::v1::NumberDataPoint& point,
                        bool created, bool delta, PointScratch& scratch);
PointResult apply_point(StoredSeries& series,
                        const opentelemetry::proto::metrics::v1::HistogramDataPoint& point,
                        bool created, bool delta, PointScratch& scratch);
PointResult apply_point(
    StoredSeries& series,
    const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& point, bool created,
    bool delta, PointScratch& scratch);
PointResult apply_point(StoredSeries& series,
                        const opentelemetry::proto::metrics::v1::SummaryDataPoint& point,
                        bool created, bool delta, PointScratch& scratch);

// Why a point cannot be taken in at all, or nullptr (only histograms have such rules).
const char* invalid_point(const opentelemetry::proto::metrics::v1::NumberDataPoint& point);
const char* invalid_point(const opentelemetry::proto::metrics::v1::HistogramDataPoint& point);
const char* invalid_point(
    const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& point);
const char* invalid_point(const opentelemetry::proto::metrics::v1::SummaryDataPoint& point);

// The snapshot form of a held series of the given type.
metrics::Series to_series(const StoredSeries& series, metrics::MetricType type);

}  // namespace observo::beyla

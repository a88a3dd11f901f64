#include "sources/beyla/store_series.h"

#include <algorithm>
#include <cmath>

namespace observo::beyla {
namespace {

namespace otm = opentelemetry::proto::metrics::v1;

static_assert(kMaxExpBuckets == 4096, "the rejection reason below names the limit");

// Whether a delta point may be added onto what is held: not older than the held end, and not
// starting before it (an overlap would count the same interval twice). A start after the held
// end is a gap in which nothing was recorded (SDKs skip idle intervals), so it is added too.
bool delta_aligned(std::uint64_t start_ns, std::uint64_t time_ns, const StoredSeries& held) {
  if (time_ns < held.time_ns) return false;
  return start_ns == 0 || start_ns >= held.time_ns;
}

// Finite bounds and cumulative counts of a classic histogram point; infinite bounds fold into
// the next bucket (or +Inf).
void classic_buckets(const otm::HistogramDataPoint& point, std::vector<double>& bounds,
                     std::vector<double>& cumulative) {
  bounds.clear();
  cumulative.clear();
  double running = 0;
  for (int i = 0; i < point.explicit_bounds_size(); ++i) {
    if (i < point.bucket_counts_size()) running += static_cast<double>(point.bucket_counts(i));
    if (!std::isfinite(point.explicit_bounds(i))) continue;
    bounds.push_back(point.explicit_bounds(i));
    cumulative.push_back(running);
  }
}

ExpHistogram exp_from_point(const otm::ExponentialHistogramDataPoint& point) {
  ExpHistogram h;
  h.scale = point.scale();
  h.zero_count = point.zero_count();
  const double threshold = point.zero_threshold();
  h.zero_threshold = std::isfinite(threshold) && threshold > 0 ? threshold : 0;
  h.positive.offset = point.positive().offset();
  h.positive.counts.assign(point.positive().bucket_counts().begin(),
                           point.positive().bucket_counts().end());
  h.negative.offset = point.negative().offset();
  h.negative.counts.assign(point.negative().bucket_counts().begin(),
                           point.negative().bucket_counts().end());
  h.sum = point.has_sum() ? point.sum() : 0;
  h.count = static_cast<double>(point.count());
  return h;
}

// The common part of every type: a delta point must line up, a cumulative one must not be
// older than what is held. kApplied means "go ahead".
template <typename Point>
PointResult admit(const StoredSeries& series, const Point& point, bool created, bool delta) {
  if (created) return PointResult::kApplied;
  if (delta) {
    return delta_aligned(point.start_time_unix_nano(), point.time_unix_nano(), series)
               ? PointResult::kApplied
               : PointResult::kMisaligned;
  }
  return point.time_unix_nano() < series.time_ns ? PointResult::kIgnored : PointResult::kApplied;
}

}  // namespace

PointResult apply_point(StoredSeries& series, const otm::NumberDataPoint& point, bool created,
                        bool delta, PointScratch&) {
  const PointResult result = admit(series, point, created, delta);
  if (result != PointResult::kApplied) return result;
  const double value = point.value_case() == otm::NumberDataPoint::kAsInt
                           ? static_cast<double>(point.as_int())
                           : point.as_double();
  series.value = delta && !created ? series.value + value : value;
  series.time_ns = std::max(series.time_ns, point.time_unix_nano());
  return result;
}

PointResult apply_point(StoredSeries& series, const otm::HistogramDataPoint& point, bool created,
                        bool delta, PointScratch& scratch) {
  const PointResult result = admit(series, point, created, delta);
  if (result != PointResult::kApplied) return result;
  const double sum = point.has_sum() ? point.sum() : 0;
  const double count = static_cast<double>(point.count());
  classic_buckets(point, scratch.bounds, scratch.cumulative);
  if (delta && !created && scratch.bounds == series.bounds) {
    for (std::size_t i = 0; i < scratch.cumulative.size(); ++i) {
      series.cumulative[i] += scratch.cumulative[i];
    }
    series.sum += sum;
    series.count += count;
  } else {  // cumulative, a new series, or a delta with other bounds: start from this point
    series.bounds.assign(scratch.bounds.begin(), scratch.bounds.end());
    series.cumulative.assign(scratch.cumulative.begin(), scratch.cumulative.end());
    series.sum = sum;
    series.count = count;
  }
  series.time_ns = std::max(series.time_ns, point.time_unix_nano());
  return result;
}

PointResult apply_point(StoredSeries& series, const otm::ExponentialHistogramDataPoint& point,
                        bool created, bool delta, PointScratch&) {
  const PointResult result = admit(series, point, created, delta);
  if (result != PointResult::kApplied) return result;
  if (delta && !created && series.exp) {
    add_exp_histogram(*series.exp, exp_from_point(point));
  } else {
    series.exp = std::make_unique<ExpHistogram>(exp_from_point(point));
  }
  series.time_ns = std::max(series.time_ns, point.time_unix_nano());
  return result;
}

PointResult apply_point(StoredSeries& series, const otm::SummaryDataPoint& point, bool created,
                        bool, PointScratch&) {
  const PointResult result = admit(series, point, created, false);
  if (result != PointResult::kApplied) return result;
  series.quantiles.clear();
  for (const auto& q : point.quantile_values()) {
    if (q.quantile() >= 0 && q.quantile() <= 1) {
      series.quantiles.push_back({q.quantile(), q.value()});
    }
  }
  std::sort(series.quantiles.begin(), series.quantiles.end(),
            [](const auto& a, const auto& b) { return a.quantile < b.quantile; });
  series.sum = point.sum();
  series.count = static_cast<double>(point.count());
  series.time_ns = std::max(series.time_ns, point.time_unix_nano());
  return result;
}

const char* invalid_point(const otm::NumberDataPoint&) { return nullptr; }

const char* invalid_point(const otm::HistogramDataPoint& point) {
  static constexpr const char* kInvalid = "histogram point with invalid bounds or bucket counts";
  const auto& bounds = point.explicit_bounds();
  if (static_cast<std::size_t>(bounds.size()) > kMaxHistogramBounds) return kInvalid;
  for (int i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i])) return kInvalid;
    if (i > 0 && !(bounds[i - 1] < bounds[i])) return kInvalid;
  }
  if (point.bucket_counts_size() != 0 && point.bucket_counts_size() != bounds.size() + 1) {
    return kInvalid;
  }
  return nullptr;
}

const char* invalid_point(const otm::ExponentialHistogramDataPoint& point) {
  if (point.scale() < kMinExpScale || point.scale() > kMaxExpScale ||
      static_cast<std::size_t>(point.positive().bucket_counts_size()) > kMaxExpBuckets ||
      static_cast<std::size_t>(point.negative().bucket_counts_size()) > kMaxExpBuckets) {
    return "exponential histogram point with a scale outside -10..20 or over 4096 buckets";
  }
  return nullptr;
}

const char* invalid_point(const otm::SummaryDataPoint&) { return nullptr; }

metrics::Series to_series(const StoredSeries& s, metrics::MetricType type) {
  metrics::Series out;
  out.labels = s.labels;
  switch (type) {
    case metrics::MetricType::kHistogram:
      if (s.exp) {
        out.buckets = to_classic_buckets(*s.exp);
        out.sum = s.exp->sum;
        out.count = s.exp->count;
      } else {
        out.buckets.reserve(s.bounds.size());
        for (std::size_t i = 0; i < s.bounds.size(); ++i) {
          out.buckets.push_back({s.bounds[i], s.cumulative[i]});
        }
        out.sum = s.sum;
        out.count = s.count;
      }
      break;
    case metrics::MetricType::kSummary:
      out.quantiles = s.quantiles;
      out.sum = s.sum;
      out.count = s.count;
      break;
    default:
      out.value = s.value;
      break;
  }
  return out;
}

}  // namespace observo::beyla

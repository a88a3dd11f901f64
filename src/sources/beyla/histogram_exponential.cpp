#include "sources/beyla/histogram_exponential.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace observo::beyla {
namespace {

std::int64_t floor_shift(std::int64_t value, std::int32_t by) {
  return by >= 63 ? (value < 0 ? -1 : 0) : value >> by;  // arithmetic: floor for negatives
}

// The range [first, last] of indexes `buckets` holds; false when empty.
bool index_range(const ExpBuckets& buckets, std::int64_t& first, std::int64_t& last) {
  if (buckets.counts.empty()) return false;
  first = buckets.offset;
  last = static_cast<std::int64_t>(buckets.offset) +
         static_cast<std::int64_t>(buckets.counts.size()) - 1;
  return true;
}

void add_buckets(ExpBuckets& into, const ExpBuckets& from) {
  std::int64_t from_first = 0, from_last = 0;
  if (!index_range(from, from_first, from_last)) return;
  std::int64_t first = from_first, last = from_last;
  std::int64_t into_first = 0, into_last = 0;
  if (index_range(into, into_first, into_last)) {
    first = std::min(first, into_first);
    last = std::max(last, into_last);
  }
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(last - first + 1), 0);
  for (std::size_t i = 0; i < into.counts.size(); ++i) {
    counts[static_cast<std::size_t>(into.offset - first) + i] += into.counts[i];
  }
  for (std::size_t i = 0; i < from.counts.size(); ++i) {
    counts[static_cast<std::size_t>(from.offset - first) + i] += from.counts[i];
  }
  into.offset = static_cast<std::int32_t>(first);
  into.counts = std::move(counts);
}

// Buckets the union of `a` shifted by `by_a` and `b` shifted by `by_b` would span.
std::int64_t union_span(const ExpBuckets& a, std::int32_t by_a, const ExpBuckets& b,
                        std::int32_t by_b) {
  std::int64_t first = 0, last = 0, f = 0, l = 0;
  bool any = false;
  if (index_range(a, f, l)) {
    first = floor_shift(f, by_a);
    last = floor_shift(l, by_a);
    any = true;
  }
  if (index_range(b, f, l)) {
    first = any ? std::min(first, floor_shift(f, by_b)) : floor_shift(f, by_b);
    last = any ? std::max(last, floor_shift(l, by_b)) : floor_shift(l, by_b);
    any = true;
  }
  return any ? last - first + 1 : 0;
}

}  // namespace

double exp_boundary(std::int64_t index, std::int32_t scale) {
  if (scale <= 0) {
    // base = 2^(2^-scale): an integral power of two.
    const std::int64_t exponent = index * (std::int64_t{1} << -scale);
    if (exponent > 2000) return HUGE_VAL;
    if (exponent < -2000) return 0;
    return std::ldexp(1.0, static_cast<int>(exponent));
  }
  // base^index = 2^(index / 2^scale) = 2^q * 2^(r / 2^scale), 0 <= r < 2^scale.
  const std::int64_t divisor = std::int64_t{1} << scale;
  std::int64_t q = index / divisor;
  std::int64_t r = index % divisor;
  if (r < 0) {
    r += divisor;
    --q;
  }
  if (q > 2000) return HUGE_VAL;
  if (q < -2000) return 0;
  return std::ldexp(std::exp2(static_cast<double>(r) / static_cast<double>(divisor)),
                    static_cast<int>(q));
}

void downscale(ExpBuckets& buckets, std::int32_t by) {
  if (by <= 0 || buckets.counts.empty()) return;
  const std::int64_t first = floor_shift(buckets.offset, by);
  const std::int64_t last = floor_shift(static_cast<std::int64_t>(buckets.offset) +
                                            static_cast<std::int64_t>(buckets.counts.size()) - 1,
                                        by);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(last - first + 1), 0);
  for (std::size_t i = 0; i < buckets.counts.size(); ++i) {
    const std::int64_t index =
        static_cast<std::int64_t>(buckets.offset) + static_cast<std::int64_t>(i);
    counts[static_cast<std::size_t>(floor_shift(index, by) - first)] += buckets.counts[i];
  }
  buckets.offset = static_cast<std::int32_t>(first);
  buckets.counts = std::move(counts);
}

void add_exp_histogram(ExpHistogram& into, ExpHistogram delta) {
  std::int32_t scale = std::min(into.scale, delta.scale);
  const auto fits = [&](std::int32_t at) {
    const std::int32_t by_into = into.scale - at, by_delta = delta.scale - at;
    return static_cast<std::size_t>(union_span(into.positive, by_into, delta.positive, by_delta)) <=
               kMaxExpBuckets &&
           static_cast<std::size_t>(union_span(into.negative, by_into, delta.negative, by_delta)) <=
               kMaxExpBuckets;
  };
  while (scale > kMinExpScale && !fits(scale)) --scale;
  downscale(into.positive, into.scale - scale);
  downscale(into.negative, into.scale - scale);
  downscale(delta.positive, delta.scale - scale);
  downscale(delta.negative, delta.scale - scale);
  into.scale = scale;
  add_buckets(into.positive, delta.positive);
  add_buckets(into.negative, delta.negative);
  into.zero_count += delta.zero_count;
  into.zero_threshold = std::max(into.zero_threshold, delta.zero_threshold);
  into.sum += delta.sum;
  into.count += delta.count;
}

std::vector<metrics::Bucket> to_classic_buckets(const ExpHistogram& histogram) {
  std::vector<std::pair<double, double>> bounds;  // (le, count in that bucket)
  bounds.reserve(histogram.positive.counts.size() + histogram.negative.counts.size() + 1);
  for (std::size_t i = 0; i < histogram.negative.counts.size(); ++i) {
    if (histogram.negative.counts[i] == 0) continue;
    const std::int64_t index =
        static_cast<std::int64_t>(histogram.negative.offset) + static_cast<std::int64_t>(i);
    bounds.emplace_back(-exp_boundary(index, histogram.scale),
                        static_cast<double>(histogram.negative.counts[i]));
  }
  if (histogram.zero_count > 0) {
    bounds.emplace_back(histogram.zero_threshold, static_cast<double>(histogram.zero_count));
  }
  for (std::size_t i = 0; i < histogram.positive.counts.size(); ++i) {
    if (histogram.positive.counts[i] == 0) continue;
    const std::int64_t index =
        static_cast<std::int64_t>(histogram.positive.offset) + static_cast<std::int64_t>(i);
    bounds.emplace_back(exp_boundary(index + 1, histogram.scale),
                        static_cast<double>(histogram.positive.counts[i]));
  }
  std::stable_sort(bounds.begin(), bounds.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<metrics::Bucket> out;
  out.reserve(bounds.size());
  double cumulative = 0;
  for (const auto& [le, count] : bounds) {
    cumulative += count;
    if (!std::isfinite(le)) continue;  // -Inf folds into the next bound, +Inf into the count
    if (!out.empty() && out.back().upper_bound == le) {
      out.back().cumulative_count = cumulative;
    } else {
      out.push_back({le, cumulative});
    }
  }
  return out;
}

}  // namespace observo::beyla

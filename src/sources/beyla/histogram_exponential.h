// OTLP exponential histograms, kept in their own form (scale, zero bucket, positive and
// negative bucket runs) so that delta points can be added exactly, and turned into classic
// Prometheus buckets when a snapshot is built: each populated exponential bucket contributes
// its own upper boundary as an `le`, so no count is ever split or interpolated.
#pragma once

#include <cstdint>
#include <vector>

#include "observo/metrics/snapshot.h"

namespace observo::beyla {

struct ExpBuckets {
  std::int32_t offset = 0;  // index of counts[0]
  std::vector<std::uint64_t>
      counts;  // bucket offset + i holds (base^(offset+i), base^(offset+i+1)]
};

struct ExpHistogram {
  std::int32_t scale = 0;  // base = 2^(2^-scale)
  std::uint64_t zero_count = 0;
  double zero_threshold = 0;
  ExpBuckets positive;
  ExpBuckets negative;  // the same boundaries, mirrored below zero
  double sum = 0;
  double count = 0;
};

// Scales the spec allows (-10..20), and the most buckets one side may hold after merges.
inline constexpr std::int32_t kMinExpScale = -10;
inline constexpr std::int32_t kMaxExpScale = 20;
inline constexpr std::size_t kMaxExpBuckets = 4096;

// base^index for the given scale (0 and +Inf where doubles run out).
double exp_boundary(std::int64_t index, std::int32_t scale);

// Merges `by` adjacent scales: bucket i becomes bucket i >> by.
void downscale(ExpBuckets& buckets, std::int32_t by);

// Adds a delta point: both sides are brought to the coarser scale first (and coarser still
// while one side would hold more than kMaxExpBuckets buckets), then added bucket by bucket.
void add_exp_histogram(ExpHistogram& into, ExpHistogram delta);

// Classic cumulative buckets, ascending and finite: a negative bucket i ends at -base^i, the
// zero bucket at zero_threshold, a positive bucket i at base^(i+1); only populated buckets
// appear, equal bounds merge, a bound beyond double range falls into +Inf.
std::vector<metrics::Bucket> to_classic_buckets(const ExpHistogram& histogram);

}  // namespace observo::beyla

// Exponential histogram arithmetic behind the metric store's conversion to classic buckets:
// boundaries per scale, downscaling, delta merges within the bucket cap, and the classic form.
#include "sources/beyla/histogram_exponential.h"

#include <gtest/gtest.h>

#include <cmath>

namespace observo::beyla {
namespace {

using Pairs = std::vector<std::pair<double, double>>;

Pairs pairs(const std::vector<metrics::Bucket>& buckets) {
  Pairs out;
  for (const auto& b : buckets) out.emplace_back(b.upper_bound, b.cumulative_count);
  return out;
}

TEST(MetricStoreExpHistogram, Boundaries) {
  EXPECT_EQ(exp_boundary(3, 0), 8);
  EXPECT_EQ(exp_boundary(-1, 0), 0.5);
  EXPECT_EQ(exp_boundary(1, -1), 4);  // base 4
  EXPECT_EQ(exp_boundary(2, -2), 256);
  EXPECT_EQ(exp_boundary(4, 2), 2);  // base 2^(1/4)
  EXPECT_EQ(exp_boundary(-4, 2), 0.5);
  EXPECT_DOUBLE_EQ(exp_boundary(1, 1), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(exp_boundary(-3, 1), 1 / (2 * std::sqrt(2.0)));
  EXPECT_TRUE(std::isinf(exp_boundary(1100, 0)));
  EXPECT_EQ(exp_boundary(-1100, 0), 0);
}

TEST(MetricStoreExpHistogram, DownscaleMergesAdjacentBuckets) {
  ExpBuckets b{-3, {1, 2, 3, 4}};  // indexes -3..0
  downscale(b, 1);                 // -3 -> -2, -2 -> -1, -1 -> -1, 0 -> 0
  EXPECT_EQ(b.offset, -2);
  EXPECT_EQ(b.counts, (std::vector<std::uint64_t>{1, 5, 4}));
  downscale(b, 2);  // all into -1 and 0
  EXPECT_EQ(b.offset, -1);
  EXPECT_EQ(b.counts, (std::vector<std::uint64_t>{6, 4}));
}

TEST(MetricStoreExpHistogram, MergeStaysWithinTheBucketCap) {
  ExpHistogram into;
  into.scale = 20;
  into.positive = {0, {1}};
  into.count = 1;
  ExpHistogram delta;
  delta.scale = 20;
  delta.positive = {10'000, {1}};
  delta.count = 1;
  delta.zero_count = 2;
  delta.zero_threshold = 0.001;
  add_exp_histogram(into, delta);
  EXPECT_EQ(into.scale, 18);  // 10 001 buckets at 20, 5 001 at 19, 2 501 at 18
  EXPECT_EQ(into.positive.offset, 0);
  ASSERT_EQ(into.positive.counts.size(), 2501u);
  EXPECT_EQ(into.positive.counts.front(), 1u);
  EXPECT_EQ(into.positive.counts.back(), 1u);
  EXPECT_EQ(into.zero_count, 2u);
  EXPECT_EQ(into.zero_threshold, 0.001);
  EXPECT_EQ(into.count, 2);
}

TEST(MetricStoreExpHistogram, ClassicBuckets) {
  ExpHistogram h;
  h.scale = 0;
  h.positive = {0, {1, 0, 2}};  // (1,2] (2,4] (4,8]
  h.negative = {1, {4}};        // [-4,-2)
  h.zero_count = 1;
  EXPECT_EQ(pairs(to_classic_buckets(h)), (Pairs{{-2, 4}, {0, 5}, {2, 6}, {8, 8}}));

  // A zero threshold above the first positive bound sorts in; an out-of-range bound goes to +Inf.
  ExpHistogram wide;
  wide.scale = 0;
  wide.zero_count = 3;
  wide.zero_threshold = 3;
  wide.positive = {0, {1}};
  wide.negative = {};
  EXPECT_EQ(pairs(to_classic_buckets(wide)), (Pairs{{2, 1}, {3, 4}}));
  ExpHistogram huge;
  huge.positive = {1100, {5}};
  EXPECT_TRUE(to_classic_buckets(huge).empty());
}

}  // namespace
}  // namespace observo::beyla

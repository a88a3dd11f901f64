#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>

#include "encoder_test_fixture.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

Exposition single(Family family) {
  Snapshot snapshot;
  snapshot.families.push_back(std::move(family));
  return make_exposition({std::make_shared<const Snapshot>(std::move(snapshot))});
}

Series with_labels(Labels labels, double value) {
  Series series;
  series.labels = make_labels(std::move(labels));
  series.value = value;
  return series;
}

std::string prometheus(const Exposition& exposition) {
  std::string out;
  encode_prometheus(exposition, out);
  return out;
}

std::string openmetrics(const Exposition& exposition) {
  std::string out;
  encode_openmetrics(exposition, out);
  return out;
}

TEST(EncoderText, PrometheusCounterWithLabels) {
  Family family{
      "jobs_total", "Jobs.", MetricType::kCounter, {with_labels({{"b", "y"}, {"a", "x"}}, 3)}};
  EXPECT_EQ(prometheus(single(family)),
            "# HELP jobs_total Jobs.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total{a=\"x\",b=\"y\"} 3\n");
}

TEST(EncoderText, NoBracesWithoutLabels) {
  Family family{"up", "Up.", MetricType::kGauge, {with_labels({}, 1)}};
  EXPECT_EQ(prometheus(single(family)), "# HELP up Up.\n# TYPE up gauge\nup 1\n");
}

TEST(EncoderText, HelpEscapingDiffersBetweenFormats) {
  Family family{"g", "a\\b\n\"c\"", MetricType::kGauge, {with_labels({}, 1)}};
  EXPECT_NE(prometheus(single(family)).find("# HELP g a\\\\b\\n\"c\"\n"), std::string::npos);
  EXPECT_NE(openmetrics(single(family)).find("# HELP g a\\\\b\\n\\\"c\\\"\n"), std::string::npos);
}

TEST(EncoderText, LabelValueEscaping) {
  Family family{"g", "", MetricType::kGauge, {with_labels({{"v", "a\\b\n\"c\"\td"}}, 1)}};
  const std::string expected_line = "g{v=\"a\\\\b\\n\\\"c\\\"\td\"} 1\n";
  EXPECT_EQ(prometheus(single(family)), "# TYPE g gauge\n" + expected_line);
  EXPECT_EQ(openmetrics(single(family)), "# TYPE g gauge\n" + expected_line + "# EOF\n");
}

TEST(EncoderText, InvalidUtf8IsReplaced) {
  Family family{"g",
                "h\xC3",
                MetricType::kGauge,
                {with_labels({{"v", "ok\xC3\xA9 bad\xE9 \xF0\x9F\x98\x80"}}, 1)}};
  EXPECT_EQ(prometheus(single(family)),
            "# HELP g h\xEF\xBF\xBD\n# TYPE g gauge\n"
            "g{v=\"ok\xC3\xA9 bad\xEF\xBF\xBD \xF0\x9F\x98\x80\"} 1\n");
}

TEST(EncoderText, SeriesOfEverySnapshotUnderOneHelp) {
  const std::string out = prometheus(testing::make_encoder_fixture());
  EXPECT_EQ(out.find("# HELP http_requests_total"), out.rfind("# HELP http_requests_total"));
  EXPECT_EQ(out.find("# TYPE http_requests_total"), out.rfind("# TYPE http_requests_total"));
  EXPECT_NE(out.find("http_requests_total{code=\"404\",method=\"GET\"} 7\n"), std::string::npos);
  EXPECT_EQ(out.find("second publisher"), std::string::npos);
}

TEST(EncoderText, PrometheusHistogram) {
  Series series;
  series.labels = {{"path", "/"}};
  series.buckets = {{0.5, 1}, {1, 2}, {2.5, 3}};
  series.sum = 7.5;
  series.count = 4;
  Family family{"latency_seconds", "L.", MetricType::kHistogram, {series}};
  EXPECT_EQ(prometheus(single(family)),
            "# HELP latency_seconds L.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{path=\"/\",le=\"0.5\"} 1\n"
            "latency_seconds_bucket{path=\"/\",le=\"1\"} 2\n"
            "latency_seconds_bucket{path=\"/\",le=\"2.5\"} 3\n"
            "latency_seconds_bucket{path=\"/\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{path=\"/\"} 7.5\n"
            "latency_seconds_count{path=\"/\"} 4\n");
  EXPECT_EQ(openmetrics(single(family)),
            "# TYPE latency_seconds histogram\n"
            "# HELP latency_seconds L.\n"
            "latency_seconds_bucket{path=\"/\",le=\"0.5\"} 1\n"
            "latency_seconds_bucket{path=\"/\",le=\"1.0\"} 2\n"
            "latency_seconds_bucket{path=\"/\",le=\"2.5\"} 3\n"
            "latency_seconds_bucket{path=\"/\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{path=\"/\"} 7.5\n"
            "latency_seconds_count{path=\"/\"} 4\n"
            "# EOF\n");
}

TEST(EncoderText, HistogramSkipsNonFiniteBoundsAndShadowedLe) {
  Series series;
  series.labels = {{"le", "bogus"}};
  series.buckets = {{1, 1}, {std::numeric_limits<double>::infinity(), 2}};
  series.count = 2;
  Family family{"h", "", MetricType::kHistogram, {series}};
  EXPECT_EQ(prometheus(single(family)),
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 1\n"
            "h_bucket{le=\"+Inf\"} 2\n"
            "h_sum 0\n"
            "h_count 2\n");
}

TEST(EncoderText, HistogramSeriesWithDifferentLayouts) {
  Series a;
  a.buckets = {{1, 1}, {2, 2}};
  a.count = 2;
  Series b;
  b.labels = {{"x", "y"}};
  b.buckets = {{5, 0}};
  b.count = 1;
  Family family{"h", "", MetricType::kHistogram, {a, b, a}};
  const std::string out = openmetrics(single(family));
  EXPECT_NE(out.find("h_bucket{le=\"2.0\"} 2\nh_bucket{le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("h_bucket{x=\"y\",le=\"5.0\"} 0\n"), std::string::npos);
  // The third series has the first one's layout again: its bounds must be re-rendered.
  const std::string first = "h_bucket{le=\"1.0\"} 1\nh_bucket{le=\"2.0\"} 2\n";
  ASSERT_NE(out.find(first), std::string::npos);
  EXPECT_NE(out.find(first, out.find(first) + 1), std::string::npos);
}

TEST(EncoderText, Summary) {
  Series series;
  series.quantiles = {{0.5, 1.5}, {1, 9}};
  series.sum = 20;
  series.count = 5;
  Family family{"s", "", MetricType::kSummary, {series}};
  EXPECT_EQ(prometheus(single(family)),
            "# TYPE s summary\n"
            "s{quantile=\"0.5\"} 1.5\n"
            "s{quantile=\"1\"} 9\n"
            "s_sum 20\n"
            "s_count 5\n");
  EXPECT_EQ(openmetrics(single(family)),
            "# TYPE s summary\n"
            "s{quantile=\"0.5\"} 1.5\n"
            "s{quantile=\"1.0\"} 9\n"
            "s_sum 20\n"
            "s_count 5\n"
            "# EOF\n");
}

TEST(EncoderText, OpenMetricsCounterFamilyNames) {
  Family with_suffix{"requests_total", "R.", MetricType::kCounter, {with_labels({}, 2)}};
  EXPECT_EQ(openmetrics(single(with_suffix)),
            "# TYPE requests counter\n# HELP requests R.\nrequests_total 2\n# EOF\n");
  Family without_suffix{"requests", "R.", MetricType::kCounter, {with_labels({}, 2)}};
  EXPECT_EQ(openmetrics(single(without_suffix)),
            "# TYPE requests counter\n# HELP requests R.\nrequests_total 2\n# EOF\n");
  // Prometheus text keeps the family name as it is.
  EXPECT_EQ(prometheus(single(without_suffix)),
            "# HELP requests R.\n# TYPE requests counter\nrequests 2\n");
}

TEST(EncoderText, UntypedIsUnknownInOpenMetrics) {
  Family family{"u", "", MetricType::kUntyped, {with_labels({}, 1)}};
  EXPECT_EQ(prometheus(single(family)), "# TYPE u untyped\nu 1\n");
  EXPECT_EQ(openmetrics(single(family)), "# TYPE u unknown\nu 1\n# EOF\n");
}

TEST(EncoderText, EmptyExposition) {
  EXPECT_EQ(prometheus(make_exposition({})), "");
  EXPECT_EQ(openmetrics(make_exposition({})), "# EOF\n");
}

TEST(EncoderText, EncodersAppend) {
  std::string out = "prefix\n";
  encode_prometheus(single({"up", "", MetricType::kGauge, {with_labels({}, 1)}}), out);
  EXPECT_EQ(out, "prefix\n# TYPE up gauge\nup 1\n");
}

TEST(EncoderText, FixtureEndsWithNewlineAndHasNoCarriageReturn) {
  const std::string text = prometheus(testing::make_encoder_fixture());
  const std::string om = openmetrics(testing::make_encoder_fixture());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_TRUE(om.ends_with("\n# EOF\n"));
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(om.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace observo::metrics

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "encoder_test_fixture.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics::testing {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Series plain(Labels labels, double value) {
  Series series;
  series.labels = make_labels(std::move(labels));
  series.value = value;
  return series;
}

Series histogram(Labels labels, std::vector<Bucket> buckets, double sum, double count) {
  Series series;
  series.labels = make_labels(std::move(labels));
  series.buckets = std::move(buckets);
  series.sum = sum;
  series.count = count;
  return series;
}

Series summary(Labels labels, std::vector<Quantile> quantiles, double sum, double count) {
  Series series;
  series.labels = make_labels(std::move(labels));
  series.quantiles = std::move(quantiles);
  series.sum = sum;
  series.count = count;
  return series;
}

Snapshot first_snapshot() {
  Snapshot snapshot;
  snapshot.families.push_back({"http_requests_total",
                               "Requests served.\nCounted per \"code\" in C:\\logs.",
                               MetricType::kCounter,
                               {plain({{"method", "GET"}, {"code", "200"}}, 1027),
                                plain({{"method", "POST"}, {"code", "500"}}, 3)}});
  snapshot.families.push_back(
      {"temperature_celsius",
       "Temperature by sensor.",
       MetricType::kGauge,
       {plain({{"sensor", "tenth"}}, 0.1), plain({{"sensor", "nan"}}, kNaN),
        plain({{"sensor", "pos_inf"}}, kInf), plain({{"sensor", "neg_inf"}}, -kInf),
        plain({{"sensor", "tiny"}}, 1e-300), plain({{"sensor", "two_pow_53"}}, 9007199254740992.0),
        plain({{"sensor", "above_two_pow_53"}}, 9007199254740994.0),
        plain({{"sensor", "huge"}}, 1e300), plain({{"sensor", "negative"}}, -273.15)}});
  snapshot.families.push_back({"escape_test_info",
                               "Label values that need escaping.",
                               MetricType::kGauge,
                               {plain({{"path", "C:\\dir\\file"},
                                       {"quote", "say \"hi\", then go"},
                                       {"newline", "line1\nline2"},
                                       {"utf8",
                                        "Gr\xC3\xBC\xC3\x9F"
                                        "e \xE2\x9C\x93"},
                                       {"invalid",
                                        "bad\xFF"
                                        "byte"}},
                                      1)}});
  snapshot.families.push_back(
      {"request_duration_seconds",
       "Request latency.",
       MetricType::kHistogram,
       {histogram({{"handler", "/api"}}, {{0.005, 1}, {0.5, 6}, {1, 8}, {10, 9}}, 4.25, 10),
        histogram({}, {{0.005, 0}, {0.5, 0}, {1, 0}, {10, 0}}, 0, 0)}});
  snapshot.families.push_back(
      {"rpc_latency_seconds",
       "RPC latency quantiles.",
       MetricType::kSummary,
       {summary({{"service", "auth"}}, {{0.5, 0.012}, {0.9, 0.05}, {0.99, 0.2}, {1, 0.75}}, 17.5,
                1000),
        summary({{"service", "empty"}}, {{0.5, kNaN}}, 0, 0)}});
  snapshot.families.push_back(
      {"legacy_value", "An untyped value.", MetricType::kUntyped, {plain({}, 42)}});
  snapshot.families.push_back({"jobs_started",
                               "A counter without the _total suffix.",
                               MetricType::kCounter,
                               {plain({{"queue", "default"}}, 12)}});
  snapshot.families.push_back({"no_help_gauge", "", MetricType::kGauge, {plain({}, -1)}});
  return snapshot;
}

Snapshot second_snapshot() {
  Snapshot snapshot;
  snapshot.families.push_back({"http_requests_total",
                               "Help of the second publisher, not exposed.",
                               MetricType::kCounter,
                               {plain({{"method", "GET"}, {"code", "404"}}, 7)}});
  return snapshot;
}

}  // namespace

Exposition make_encoder_fixture() {
  return make_exposition({std::make_shared<const Snapshot>(first_snapshot()),
                          std::make_shared<const Snapshot>(second_snapshot())});
}

std::string golden_path(const std::string& name) {
  return std::string(OBSERVO_TESTDATA_DIR) + "/encoders/" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  const char* update = std::getenv("OBSERVO_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(read_file(path), actual)
      << "golden file " << path << " differs (OBSERVO_UPDATE_GOLDEN=1 rewrites it)";
}

namespace {

TEST(EncoderFixture, MergesTheFamilyOfBothSnapshots) {
  const Exposition exposition = make_encoder_fixture();
  const FamilyView* requests = nullptr;
  for (const auto& view : exposition.families) {
    if (view.meta->name == "http_requests_total") requests = &view;
  }
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->parts.size(), 2u);
  EXPECT_EQ(requests->series_count(), 3u);
}

TEST(EncoderGolden, PrometheusText) {
  std::string out;
  encode_prometheus(make_encoder_fixture(), out);
  expect_golden("fixture.prom", out);
}

TEST(EncoderGolden, OpenMetrics) {
  std::string out;
  encode_openmetrics(make_encoder_fixture(), out);
  expect_golden("fixture.openmetrics", out);
}

TEST(EncoderGolden, Json) {
  std::string out;
  encode_json(make_encoder_fixture(), out);
  expect_golden("fixture.json", out);
}

TEST(EncoderGolden, Csv) {
  std::string out;
  encode_csv(make_encoder_fixture(), out);
  expect_golden("fixture.csv", out);
}

TEST(EncoderGolden, DispatchMatchesTheNamedEncoders) {
  const Exposition exposition = make_encoder_fixture();
  for (Format format : {Format::kPrometheus, Format::kOpenMetrics, Format::kJson, Format::kCsv}) {
    std::string out;
    encode(format, exposition, out);
    const std::string file = format == Format::kPrometheus    ? "fixture.prom"
                             : format == Format::kOpenMetrics ? "fixture.openmetrics"
                             : format == Format::kJson        ? "fixture.json"
                                                              : "fixture.csv";
    EXPECT_EQ(read_file(golden_path(file)), out) << format_name(format);
  }
}

}  // namespace
}  // namespace observo::metrics::testing

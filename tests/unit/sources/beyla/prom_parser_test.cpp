// The Prometheus / OpenMetrics text parser of the scrape client: every construct of both
// formats with exact families and values, the errors (with line numbers), the limits, and the
// round trip of observo's own encoders.
#include "sources/beyla/prom_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "observo/metrics/encoder.h"

namespace observo::beyla {
namespace {

using metrics::Family;
using metrics::Labels;
using metrics::MetricType;
using metrics::Series;
using metrics::Snapshot;

Snapshot parse_ok(std::string_view page, const PromParseLimits& limits = {}) {
  auto result = parse_prometheus_text(page, limits);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? std::move(*result) : Snapshot{};
}

std::string parse_error(std::string_view page, const PromParseLimits& limits = {}) {
  auto result = parse_prometheus_text(page, limits);
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string() : result.error();
}

const Family* find(const Snapshot& snapshot, std::string_view name) {
  for (const auto& family : snapshot.families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

TEST(PromParser, CountersGaugesHelpAndLabels) {
  const auto s = parse_ok(
      "# HELP http_requests_total Requests \\\\ served.\\nSecond line.\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{method=\"GET\",code=\"200\"} 1027\n"
      "http_requests_total{method=\"POST\",code=\"400\"} 3 1395066363000\n"
      "\n"
      "# A plain comment\n"
      "# TYPE temperature gauge\n"
      "temperature -12.5e-1\n");
  ASSERT_EQ(s.families.size(), 2u);
  const Family& c = s.families[0];
  EXPECT_EQ(c.name, "http_requests_total");
  EXPECT_EQ(c.help, "Requests \\ served.\nSecond line.");
  EXPECT_EQ(c.type, MetricType::kCounter);
  ASSERT_EQ(c.series.size(), 2u);
  EXPECT_EQ(c.series[0].labels, (Labels{{"code", "200"}, {"method", "GET"}}));
  EXPECT_EQ(c.series[0].value, 1027);
  EXPECT_EQ(c.series[1].labels, (Labels{{"code", "400"}, {"method", "POST"}}));
  EXPECT_EQ(c.series[1].value, 3);
  const Family& g = s.families[1];
  EXPECT_EQ(g.name, "temperature");
  EXPECT_EQ(g.type, MetricType::kGauge);
  EXPECT_EQ(g.help, "");
  ASSERT_EQ(g.series.size(), 1u);
  EXPECT_TRUE(g.series[0].labels.empty());
  EXPECT_EQ(g.series[0].value, -1.25);
}

TEST(PromParser, LabelValueEscapes) {
  const auto s = parse_ok(
      "m{a=\"back\\\\slash\",b=\"quo\\\"te\",c=\"new\\nline\",d=\"other\\tkept\",e=\"\"} 1\n");
  ASSERT_EQ(s.families.size(), 1u);
  EXPECT_EQ(s.families[0].series[0].labels, (Labels{{"a", "back\\slash"},
                                                    {"b", "quo\"te"},
                                                    {"c", "new\nline"},
                                                    {"d", "other\\tkept"},
                                                    {"e", ""}}));
}

TEST(PromParser, SpecialAndExponentValues) {
  const auto s = parse_ok("a NaN\nb +Inf\nc -Inf\nd 1.5e+3\ne -2E-2\nf 42\ng +7\n");
  ASSERT_EQ(s.families.size(), 7u);
  EXPECT_TRUE(std::isnan(s.families[0].series[0].value));
  EXPECT_EQ(s.families[1].series[0].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.families[2].series[0].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.families[3].series[0].value, 1500);
  EXPECT_EQ(s.families[4].series[0].value, -0.02);
  EXPECT_EQ(s.families[5].series[0].value, 42);
  EXPECT_EQ(s.families[6].series[0].value, 7);
  for (const auto& f : s.families) EXPECT_EQ(f.type, MetricType::kUntyped);
}

TEST(PromParser, UntypedSeriesCrlfBlankLinesAndWhitespace) {
  const auto s = parse_ok("\r\n  \r\nfoo{x=\"1\"}\t 2\r\nfoo{x=\"2\"} 3  \r\n\n  bar 4\n");
  ASSERT_EQ(s.families.size(), 2u);
  EXPECT_EQ(s.families[0].name, "foo");
  EXPECT_EQ(s.families[0].type, MetricType::kUntyped);
  ASSERT_EQ(s.families[0].series.size(), 2u);
  EXPECT_EQ(s.families[0].series[1].labels, (Labels{{"x", "2"}}));
  EXPECT_EQ(s.families[0].series[1].value, 3);
  EXPECT_EQ(s.families[1].name, "bar");
  EXPECT_EQ(s.families[1].series[0].value, 4);
}

TEST(PromParser, HistogramGroupsBucketsSumAndCountPerLabelSet) {
  const auto s = parse_ok(
      "# HELP rpc_seconds RPC latency.\n"
      "# TYPE rpc_seconds histogram\n"
      "rpc_seconds_bucket{svc=\"a\",le=\"0.1\"} 2\n"
      "rpc_seconds_bucket{svc=\"a\",le=\"1\"} 5\n"
      "rpc_seconds_bucket{svc=\"a\",le=\"+Inf\"} 7\n"
      "rpc_seconds_sum{svc=\"a\"} 12.5\n"
      "rpc_seconds_count{svc=\"a\"} 7\n"
      "rpc_seconds_bucket{le=\"1.0\",svc=\"b\"} 1\n"
      "rpc_seconds_bucket{le=\"0.1\",svc=\"b\"} 0\n"
      "rpc_seconds_bucket{le=\"+Inf\",svc=\"b\"} 3\n"
      "rpc_seconds_sum{svc=\"b\"} 4\n");
  ASSERT_EQ(s.families.size(), 1u);
  const Family& h = s.families[0];
  EXPECT_EQ(h.name, "rpc_seconds");
  EXPECT_EQ(h.help, "RPC latency.");
  EXPECT_EQ(h.type, MetricType::kHistogram);
  ASSERT_EQ(h.series.size(), 2u);
  const Series& a = h.series[0];
  EXPECT_EQ(a.labels, (Labels{{"svc", "a"}}));
  ASSERT_EQ(a.buckets.size(), 2u);
  EXPECT_EQ(a.buckets[0].upper_bound, 0.1);
  EXPECT_EQ(a.buckets[0].cumulative_count, 2);
  EXPECT_EQ(a.buckets[1].upper_bound, 1);
  EXPECT_EQ(a.buckets[1].cumulative_count, 5);
  EXPECT_EQ(a.sum, 12.5);
  EXPECT_EQ(a.count, 7);
  const Series& b = h.series[1];  // out-of-order buckets, no _count: +Inf gives the count
  EXPECT_EQ(b.labels, (Labels{{"svc", "b"}}));
  ASSERT_EQ(b.buckets.size(), 2u);
  EXPECT_EQ(b.buckets[0].upper_bound, 0.1);
  EXPECT_EQ(b.buckets[0].cumulative_count, 0);
  EXPECT_EQ(b.buckets[1].upper_bound, 1);
  EXPECT_EQ(b.buckets[1].cumulative_count, 1);
  EXPECT_EQ(b.sum, 4);
  EXPECT_EQ(b.count, 3);
}

TEST(PromParser, SummaryQuantilesSumAndCount) {
  const auto s = parse_ok(
      "# TYPE rpc_duration summary\n"
      "rpc_duration{service=\"x\",quantile=\"0.99\"} 9\n"
      "rpc_duration{service=\"x\",quantile=\"0.5\"} 4\n"
      "rpc_duration_sum{service=\"x\"} 100\n"
      "rpc_duration_count{service=\"x\"} 20\n"
      "rpc_duration_created{service=\"x\"} 1.6e9\n");
  ASSERT_EQ(s.families.size(), 1u);
  const Family& f = s.families[0];
  EXPECT_EQ(f.type, MetricType::kSummary);
  ASSERT_EQ(f.series.size(), 1u);
  EXPECT_EQ(f.series[0].labels, (Labels{{"service", "x"}}));
  ASSERT_EQ(f.series[0].quantiles.size(), 2u);
  EXPECT_EQ(f.series[0].quantiles[0].quantile, 0.5);
  EXPECT_EQ(f.series[0].quantiles[0].value, 4);
  EXPECT_EQ(f.series[0].quantiles[1].quantile, 0.99);
  EXPECT_EQ(f.series[0].quantiles[1].value, 9);
  EXPECT_EQ(f.series[0].sum, 100);
  EXPECT_EQ(f.series[0].count, 20);
}

TEST(PromParser, OpenMetricsCountersUnitCreatedExemplarsAndEof) {
  const auto s = parse_ok(
      "# TYPE requests counter\n"
      "# UNIT requests requests\n"
      "# HELP requests How many.\n"
      "requests_total{path=\"/\"} 17 # {trace_id=\"abc\"} 1.0 1520879607.789\n"
      "requests_created{path=\"/\"} 1520430000.123\n"
      "# TYPE legacy counter\n"
      "legacy 5\n"
      "# EOF\n"
      "this is not parsed {\n");
  ASSERT_EQ(s.families.size(), 2u);
  EXPECT_EQ(s.families[0].name, "requests_total");
  EXPECT_EQ(s.families[0].type, MetricType::kCounter);
  EXPECT_EQ(s.families[0].help, "How many.");
  ASSERT_EQ(s.families[0].series.size(), 1u);
  EXPECT_EQ(s.families[0].series[0].labels, (Labels{{"path", "/"}}));
  EXPECT_EQ(s.families[0].series[0].value, 17);
  // A 0.0.4 counter without _total gets it, so the OpenMetrics encoder can name it.
  EXPECT_EQ(s.families[1].name, "legacy_total");
  EXPECT_EQ(s.families[1].series[0].value, 5);
}

TEST(PromParser, OpenMetricsHistogramWithTimestampsExemplarsAndCreated) {
  const auto s = parse_ok(
      "# TYPE lat histogram\n"
      "# UNIT lat seconds\n"
      "lat_bucket{le=\"0.5\"} 1 123 # {id=\"x\"} 0.3\n"
      "lat_bucket{le=\"+Inf\"} 2 123\n"
      "lat_count 2 123\n"
      "lat_sum 0.75 123\n"
      "lat_created 1e9\n"
      "# EOF\n");
  ASSERT_EQ(s.families.size(), 1u);
  const Series& lat = s.families[0].series.at(0);
  ASSERT_EQ(lat.buckets.size(), 1u);
  EXPECT_EQ(lat.buckets[0].upper_bound, 0.5);
  EXPECT_EQ(lat.buckets[0].cumulative_count, 1);
  EXPECT_EQ(lat.count, 2);
  EXPECT_EQ(lat.sum, 0.75);
}

TEST(PromParser, GaugeHistogramInfoStatesetAndUnknown) {
  const auto s = parse_ok(
      "# TYPE queue gaugehistogram\n"
      "queue_bucket{le=\"10\"} 3\n"
      "queue_bucket{le=\"+Inf\"} 4\n"
      "queue_gcount 4\n"
      "queue_gsum 21\n"
      "# TYPE build info\n"
      "build_info{version=\"1.2\"} 1\n"
      "# TYPE state stateset\n"
      "state{state=\"on\"} 1\n"
      "state{state=\"off\"} 0\n"
      "# TYPE thing unknown\n"
      "thing 3\n"
      "# EOF\n");
  ASSERT_EQ(s.families.size(), 4u);
  EXPECT_EQ(s.families[0].name, "queue");
  EXPECT_EQ(s.families[0].type, MetricType::kHistogram);
  EXPECT_EQ(s.families[0].series[0].count, 4);
  EXPECT_EQ(s.families[0].series[0].sum, 21);
  EXPECT_EQ(s.families[0].series[0].buckets.at(0).cumulative_count, 3);
  EXPECT_EQ(s.families[1].name, "build_info");
  EXPECT_EQ(s.families[1].type, MetricType::kGauge);
  EXPECT_EQ(s.families[1].series[0].labels, (Labels{{"version", "1.2"}}));
  EXPECT_EQ(s.families[1].series[0].value, 1);
  EXPECT_EQ(s.families[2].name, "state");
  EXPECT_EQ(s.families[2].type, MetricType::kGauge);
  ASSERT_EQ(s.families[2].series.size(), 2u);
  EXPECT_EQ(s.families[2].series[1].labels, (Labels{{"state", "off"}}));
  EXPECT_EQ(s.families[3].name, "thing");
  EXPECT_EQ(s.families[3].type, MetricType::kUntyped);
}

TEST(PromParser, EmptyLabelSetTrailingCommaAndMetadataOnlyFamilies) {
  const auto s = parse_ok(
      "# HELP nothing Declared but never sampled.\n# TYPE nothing gauge\n"
      "x{} 1\ny{a=\"1\",} 2\nz{ a = \"1\" , b=\"2\" } 3\n");
  ASSERT_EQ(s.families.size(), 3u);  // "nothing" has no series: left out
  EXPECT_TRUE(s.families[0].series[0].labels.empty());
  EXPECT_EQ(s.families[1].series[0].labels, (Labels{{"a", "1"}}));
  EXPECT_EQ(s.families[2].series[0].labels, (Labels{{"a", "1"}, {"b", "2"}}));
}

TEST(PromParser, EmptyPage) {
  EXPECT_TRUE(parse_ok("").families.empty());
  EXPECT_TRUE(parse_ok("# EOF\n").families.empty());
}

struct BadPage {
  const char* page;
  const char* error;
};

class PromParserErrors : public ::testing::TestWithParam<BadPage> {};

TEST_P(PromParserErrors, FailTheWholePageNamingTheLine) {
  EXPECT_EQ(parse_error(GetParam().page), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    PromParser, PromParserErrors,
    ::testing::Values(
        BadPage{"ok 1\nm{a=1} 2\n", "line 2: label value not quoted"},
        BadPage{"m{a=\"1} 2\n", "line 1: unterminated label value"},
        BadPage{"m{a\"1\"} 2\n", "line 1: expected '=' after label name 'a'"},
        BadPage{"m{a=\"1\" b=\"2\"} 2\n",
                "line 1: expected ',' or '}' after the value of label 'a'"},
        BadPage{"m{a=\"1\"", "line 1: unterminated label set"},
        BadPage{"m{1a=\"1\"} 2\n", "line 1: bad label name at column 3"},
        BadPage{"m{__x=\"1\"} 2\n", "line 1: label name '__x' is reserved"},
        BadPage{"m{a=\"1\",a=\"2\"} 2\n", "line 1: label 'a' repeated"},
        BadPage{"m\n", "line 1: no value for m"}, BadPage{"m abc\n", "line 1: bad value 'abc'"},
        BadPage{"m 1 2 3\n", "line 1: unexpected text after the timestamp"},
        BadPage{"m 1 x\n", "line 1: bad timestamp 'x'"},
        BadPage{"m-x 1\n", "line 1: bad character '-' after metric name m"},
        BadPage{"9m 1\n", "line 1: expected a metric name or a comment"},
        BadPage{"m 1\nm 2\n", "line 2: duplicate series for m"},
        BadPage{"# TYPE m gauge\n# TYPE m gauge\n", "line 2: second TYPE line for m"},
        BadPage{"m 1\n# TYPE m gauge\n", "line 2: TYPE of m after its samples"},
        BadPage{"# TYPE m bogus\n", "line 1: unknown metric type 'bogus'"},
        BadPage{"# TYPE m gauge extra\n", "line 1: unexpected text after the TYPE of m"},
        BadPage{"# TYPE\n", "line 1: expected a TYPE metric name"},
        BadPage{"# TYPE h histogram\nh_bucket 1\n",
                "line 2: histogram bucket h_bucket without le label"},
        BadPage{"# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", "line 2: bad le value 'x'"},
        BadPage{"# TYPE h histogram\nh 1\n",
                "line 2: sample h does not belong to the family of its TYPE"},
        BadPage{"# TYPE s summary\ns 1\n", "line 2: summary sample s without quantile label"},
        BadPage{"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\n",
                "histogram h: bucket le=1 repeated"}));

TEST(PromParser, LimitsFailThePage) {
  PromParseLimits limits;
  limits.max_series = 2;
  EXPECT_EQ(parse_error("a 1\nb 1\nc 1\n", limits), "line 3: more than 2 series");
  limits = {};
  limits.max_label_value_bytes = 4;
  EXPECT_EQ(parse_error("a{v=\"1234\"} 1\na{v=\"12345\"} 1\n", limits),
            "line 2: value of label 'v' longer than 4 bytes");
  limits = {};
  limits.max_labels = 2;
  EXPECT_EQ(parse_error("a{x=\"1\",y=\"1\",z=\"1\"} 1\n", limits), "line 1: more than 2 labels");
  limits = {};
  limits.max_families = 1;
  EXPECT_EQ(parse_error("# TYPE a gauge\n# TYPE b gauge\n", limits),
            "line 2: more than 1 metric families");
  limits = {};
  limits.max_samples = 3;
  EXPECT_EQ(
      parse_error("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\nh_x 1\n", limits),
      "line 5: more than 3 samples");
  limits = {};
  limits.max_name_bytes = 3;
  EXPECT_EQ(parse_error("abcd 1\n", limits), "line 1: metric name longer than 3 bytes");
}

// Whatever observo's encoders write, the parser reads back with the same values.
Snapshot encoder_input() {
  Snapshot s;
  s.families.push_back(
      {"jobs_total",
       "Jobs \"done\"\\n.",
       MetricType::kCounter,
       {{{{"queue", "a\"b\\c\nd"}}, 12, {}, {}, 0, 0}, {{{"queue", "plain"}}, 0.1, {}, {}, 0, 0}}});
  s.families.push_back(
      {"temp_celsius", "Temperature.", MetricType::kGauge, {{{}, -3.5e-7, {}, {}, 0, 0}}});
  s.families.push_back({"lat_seconds",
                        "Latency.",
                        MetricType::kHistogram,
                        {{{{"route", "/x"}}, 0, {{0.005, 1}, {0.25, 4}, {10, 9}}, {}, 3.75, 11},
                         {{{"route", "/y"}}, 0, {{0.005, 0}, {0.25, 0}, {10, 0}}, {}, 0, 0}}});
  s.families.push_back({"rpc_seconds",
                        "RPC.",
                        MetricType::kSummary,
                        {{{{"m", "get"}}, 0, {}, {{0.5, 0.2}, {0.99, 1.5}}, 40, 100}}});
  s.families.push_back({"misc", "Untyped.", MetricType::kUntyped, {{{}, 1e300, {}, {}, 0, 0}}});
  return s;
}

void expect_same(const Snapshot& want, const Snapshot& got) {
  ASSERT_EQ(got.families.size(), want.families.size());
  for (std::size_t f = 0; f < want.families.size(); ++f) {
    const Family& w = want.families[f];
    const Family* g = find(got, w.name);
    ASSERT_NE(g, nullptr) << w.name;
    EXPECT_EQ(g->help, w.help) << w.name;
    EXPECT_EQ(g->type, w.type) << w.name;
    ASSERT_EQ(g->series.size(), w.series.size()) << w.name;
    for (std::size_t i = 0; i < w.series.size(); ++i) {
      const Series& ws = w.series[i];
      const Series& gs = g->series[i];
      EXPECT_EQ(gs.labels, ws.labels);
      EXPECT_EQ(gs.value, ws.value);
      EXPECT_EQ(gs.sum, ws.sum);
      EXPECT_EQ(gs.count, ws.count);
      ASSERT_EQ(gs.buckets.size(), ws.buckets.size());
      for (std::size_t b = 0; b < ws.buckets.size(); ++b) {
        EXPECT_EQ(gs.buckets[b].upper_bound, ws.buckets[b].upper_bound);
        EXPECT_EQ(gs.buckets[b].cumulative_count, ws.buckets[b].cumulative_count);
      }
      ASSERT_EQ(gs.quantiles.size(), ws.quantiles.size());
      for (std::size_t q = 0; q < ws.quantiles.size(); ++q) {
        EXPECT_EQ(gs.quantiles[q].quantile, ws.quantiles[q].quantile);
        EXPECT_EQ(gs.quantiles[q].value, ws.quantiles[q].value);
      }
    }
  }
}

TEST(PromParser, RoundTripOfPrometheusTextEncoder) {
  const Snapshot input = encoder_input();
  std::string page;
  metrics::encode_prometheus(metrics::make_exposition({std::make_shared<Snapshot>(input)}), page);
  expect_same(input, parse_ok(page));
}

TEST(PromParser, RoundTripOfOpenMetricsEncoder) {
  const Snapshot input = encoder_input();
  std::string page;
  metrics::encode_openmetrics(metrics::make_exposition({std::make_shared<Snapshot>(input)}), page);
  ASSERT_NE(page.find("# EOF"), std::string::npos);
  expect_same(input, parse_ok(page));
}

}  // namespace
}  // namespace observo::beyla

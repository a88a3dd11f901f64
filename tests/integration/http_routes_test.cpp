// Every route over a real socket: status, headers, bodies, negotiation, gzip, HEAD, errors and
// the server's self-metrics, with a Beast client on loopback.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

#include "observo/common/build_info.h"
#include "observo/metrics/encoder.h"
#include "support/test_client.h"
#include "support/test_server.h"

namespace observo::testing {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

constexpr const char* kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

std::string header(const ClientResponse& response, bhttp::field field) {
  return std::string(response[field]);
}

// The exposition without the server's own request counters, which change between scrapes.
std::string without_http_self_metrics(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::string out;
  while (std::getline(in, line)) {
    if (line.find("observo_http_") == std::string::npos) out += line + "\n";
  }
  return out;
}

class HttpRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics::Snapshot snapshot;
    metrics::Family family{
        "observo_test_widgets", "Widgets seen.", metrics::MetricType::kGauge, {}};
    for (int i = 0; i < 50; ++i) {
      family.series.push_back({{{"id", "widget-" + std::to_string(i)}}, double(i), {}, {}, 0, 0});
    }
    snapshot.families.push_back(std::move(family));
    server_.hub().publish("test", std::move(snapshot));
    server_.sources().declare("pixie", true);
    server_.sources().record_success("pixie");
    auto started = server_.start();
    ASSERT_TRUE(started) << started.error();
  }

  TestServer server_;
};

TEST_F(HttpRoutesTest, EveryRouteAnswersWithServerHeader) {
  const std::string server_header = "observo/" + std::string(version());
  struct Case {
    const char* target;
    std::string_view content_type;
  };
  const Case cases[] = {
      {"/", "text/html; charset=utf-8"},
      {"/metrics", metrics::content_type(metrics::Format::kPrometheus)},
      {"/health", "application/json"},
      {"/ready", "application/json"},
      {"/api/v1/metrics", metrics::content_type(metrics::Format::kPrometheus)},
      {"/api/v1/sources", "application/json"},
  };
  for (const auto& c : cases) {
    const auto response = get(server_.port(), c.target);
    EXPECT_EQ(response.result(), bhttp::status::ok) << c.target;
    EXPECT_EQ(header(response, bhttp::field::content_type), c.content_type) << c.target;
    EXPECT_EQ(header(response, bhttp::field::server), server_header) << c.target;
    EXPECT_FALSE(response.body().empty()) << c.target;
  }
}

TEST_F(HttpRoutesTest, HealthReportsServerAndSources) {
  (void)get(server_.port(), "/metrics");
  const auto response = get(server_.port(), "/health");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  const auto body = json::parse(response.body());
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["server"]["running"], true);
  EXPECT_EQ(body["server"]["port"], server_.port());
  EXPECT_GE(body["server"]["requests"].get<int>(), 1);
  EXPECT_GE(body["server"]["collections"].get<int>(), 1);
  EXPECT_GE(body["server"]["metrics"].get<int>(), 50);
  EXPECT_TRUE(body["server"]["last_collection"].is_string());
  EXPECT_EQ(body["sources"]["pixie"]["up"], true);
}

TEST_F(HttpRoutesTest, SourcesAndReady) {
  const auto sources = json::parse(get(server_.port(), "/api/v1/sources").body());
  ASSERT_TRUE(sources.is_array());
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0]["name"], "pixie");

  server_.context().ready = false;
  auto ready = get(server_.port(), "/ready");
  EXPECT_EQ(ready.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(json::parse(ready.body())["status"], "starting");
  server_.context().ready = true;
  ready = get(server_.port(), "/ready");
  EXPECT_EQ(ready.result(), bhttp::status::ok);
  EXPECT_EQ(json::parse(ready.body())["status"], "ready");
}

TEST_F(HttpRoutesTest, GzipDecompressesToThePlainBody) {
  const auto plain = get(server_.port(), "/metrics");
  const auto zipped = get(server_.port(), "/metrics", {{bhttp::field::accept_encoding, "gzip"}});
  ASSERT_EQ(zipped.result(), bhttp::status::ok);
  EXPECT_EQ(header(zipped, bhttp::field::content_encoding), "gzip");
  EXPECT_NE(header(zipped, bhttp::field::vary).find("Accept-Encoding"), std::string::npos);
  EXPECT_NE(header(plain, bhttp::field::vary).find("Accept-Encoding"), std::string::npos);
  EXPECT_TRUE(header(plain, bhttp::field::content_encoding).empty());
  const auto inflated = gunzip(zipped.body());
  ASSERT_TRUE(inflated);
  EXPECT_NE(inflated->find("observo_test_widgets{id=\"widget-49\"} 49"), std::string::npos);
  EXPECT_EQ(without_http_self_metrics(*inflated), without_http_self_metrics(plain.body()));
  EXPECT_LT(zipped.body().size(), plain.body().size());
}

TEST_F(HttpRoutesTest, NegotiationAndFormatQuery) {
  const auto open_metrics =
      get(server_.port(), "/metrics", {{bhttp::field::accept, kPrometheusAccept}});
  EXPECT_EQ(header(open_metrics, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kOpenMetrics));
  EXPECT_TRUE(open_metrics.body().ends_with("# EOF\n"));

  const auto as_json = get(server_.port(), "/api/v1/metrics?format=json");
  EXPECT_EQ(header(as_json, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kJson));
  EXPECT_TRUE(json::accept(as_json.body()));
  const auto as_csv = get(server_.port(), "/api/v1/metrics?format=csv");
  EXPECT_EQ(header(as_csv, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kCsv));

  const auto unknown = get(server_.port(), "/metrics?format=yaml");
  EXPECT_EQ(unknown.result(), bhttp::status::bad_request);
  const auto body = json::parse(unknown.body());
  EXPECT_EQ(body["code"], 400);
  EXPECT_NE(body["error"].get<std::string>().find("yaml"), std::string::npos);
}

TEST_F(HttpRoutesTest, HeadGivesGetHeadersWithoutBody) {
  const auto full = get(server_.port(), "/api/v1/sources");
  const auto head = fetch(server_.port(), make_request(bhttp::verb::head, "/api/v1/sources"));
  EXPECT_EQ(head.result(), bhttp::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, bhttp::field::content_length), std::to_string(full.body().size()));

  // On a keep-alive connection the next response must not be eaten as a HEAD body.
  TestClient client(server_.port());
  ASSERT_FALSE(client.connect());
  ClientResponse response;
  ASSERT_FALSE(client.request(make_request(bhttp::verb::head, "/metrics"), response));
  EXPECT_EQ(response.result(), bhttp::status::ok);
  ASSERT_FALSE(client.request(make_request(bhttp::verb::get, "/ready"), response));
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(json::parse(response.body())["status"], "ready");
}

TEST_F(HttpRoutesTest, ErrorsAreJson) {
  const auto missing = get(server_.port(), "/does-not-exist");
  EXPECT_EQ(missing.result(), bhttp::status::not_found);
  EXPECT_EQ(json::parse(missing.body())["code"], 404);

  const auto post = fetch(server_.port(), make_request(bhttp::verb::post, "/health"));
  EXPECT_EQ(post.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(header(post, bhttp::field::allow), "GET, HEAD, OPTIONS");
  EXPECT_EQ(json::parse(post.body())["code"], 405);
}

TEST_F(HttpRoutesTest, SelfMetricsCountRequestsByHandlerAndCode) {
  (void)get(server_.port(), "/health");
  (void)get(server_.port(), "/nope/secret-looking-path");
  const auto body = get(server_.port(), "/metrics").body();
  std::istringstream in(body);
  std::string line;
  bool health_counted = false;
  bool other_counted = false;
  while (std::getline(in, line)) {
    if (!line.starts_with("observo_http_requests_total{")) continue;
    if (line.find("handler=\"/health\"") != std::string::npos &&
        line.find("code=\"200\"") != std::string::npos) {
      health_counted = true;
    }
    if (line.find("handler=\"other\"") != std::string::npos &&
        line.find("code=\"404\"") != std::string::npos) {
      other_counted = true;
    }
  }
  EXPECT_TRUE(health_counted) << body;
  EXPECT_TRUE(other_counted) << body;
  EXPECT_EQ(body.find("secret-looking-path"), std::string::npos);
  EXPECT_NE(body.find("# HELP observo_http_requests_total"), std::string::npos);
  EXPECT_NE(body.find("# HELP observo_http_request_duration_seconds"), std::string::npos);
  EXPECT_NE(
      body.find("observo_http_request_duration_seconds_bucket{handler=\"/health\",le=\"0.005\"}"),
      std::string::npos);
}

}  // namespace
}  // namespace observo::testing

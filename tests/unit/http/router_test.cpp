// The router without a socket: every route, status code and header the HTTP API promises.
#include "observo/http/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "observo/common/build_info.h"
#include "observo/metrics/encoder.h"

namespace observo::http {
namespace {

namespace bhttp = boost::beast::http;
using nlohmann::json;

constexpr const char* kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

std::string header(const Response& response, bhttp::field field) {
  return std::string(response[field]);
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() { publish_sample(); }

  void publish_sample() {
    metrics::Snapshot snapshot;
    metrics::Family family{
        "observo_test_widgets", "Widgets seen.", metrics::MetricType::kGauge, {}};
    family.series.push_back({{{"color", "blue"}}, 3, {}, {}, 0, 0});
    snapshot.families.push_back(std::move(family));
    hub_.publish("test", std::move(snapshot));
  }

  Response get(std::string target,
               const std::vector<std::pair<bhttp::field, std::string>>& headers = {}) {
    return send(bhttp::verb::get, std::move(target), headers);
  }

  Response send(bhttp::verb method, std::string target,
                const std::vector<std::pair<bhttp::field, std::string>>& headers = {},
                unsigned version = 11) {
    Request request{method, target, version};
    request.set(bhttp::field::host, "localhost");
    for (const auto& [field, value] : headers) request.set(field, value);
    return route(context_, request);
  }

  static json body_json(const Response& response) { return json::parse(response.body()); }

  config::Config config_;
  metrics::Hub hub_;
  SourceBoard sources_;
  AppContext context_{config_, hub_, sources_};
};

TEST_F(RouterTest, RootIsAnHtmlPageWithLinksAndEscapedSourceData) {
  sources_.declare("pixie", true);
  sources_.record_failure("pixie", "broken <b>pipe</b> & \"quotes\"");
  sources_.declare("<script>alert(1)</script>", false);
  const auto response = get("/");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(header(response, bhttp::field::content_type), "text/html; charset=utf-8");
  const auto& page = response.body();
  EXPECT_NE(page.find(std::string(version())), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("broken &lt;b&gt;pipe&lt;/b&gt; &amp; &quot;quotes&quot;"),
            std::string::npos);
  for (const char* link : {"/metrics", "/health", "/ready", "/api/v1/metrics", "/api/v1/sources"}) {
    EXPECT_NE(page.find(std::string("href=\"") + link + "\""), std::string::npos) << link;
  }
}

TEST_F(RouterTest, MetricsDefaultsToPrometheusText) {
  const auto response = get("/metrics");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(header(response, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kPrometheus));
  EXPECT_NE(response.body().find("observo_test_widgets{color=\"blue\"} 3"), std::string::npos);
  EXPECT_NE(header(response, bhttp::field::vary).find("Accept-Encoding"), std::string::npos);
  EXPECT_TRUE(header(response, bhttp::field::content_encoding).empty());
}

TEST_F(RouterTest, PrometheusAcceptHeaderNegotiatesOpenMetrics) {
  const auto response = get("/metrics", {{bhttp::field::accept, kPrometheusAccept}});
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(header(response, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kOpenMetrics));
  EXPECT_TRUE(response.body().ends_with("# EOF\n"));
}

TEST_F(RouterTest, FormatQueryOverridesAccept) {
  const auto json_response =
      get("/api/v1/metrics?format=json", {{bhttp::field::accept, kPrometheusAccept}});
  EXPECT_EQ(json_response.result(), bhttp::status::ok);
  EXPECT_EQ(header(json_response, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kJson));
  EXPECT_TRUE(json::accept(json_response.body()));

  const auto csv = get("/metrics?format=csv");
  EXPECT_EQ(header(csv, bhttp::field::content_type), metrics::content_type(metrics::Format::kCsv));
  const auto open_metrics = get("/metrics?x=1&format=openmetrics");
  EXPECT_EQ(header(open_metrics, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kOpenMetrics));
  const auto prometheus =
      get("/api/v1/metrics?format=prometheus", {{bhttp::field::accept, kPrometheusAccept}});
  EXPECT_EQ(header(prometheus, bhttp::field::content_type),
            metrics::content_type(metrics::Format::kPrometheus));
}

TEST_F(RouterTest, UnknownFormatIs400NamingIt) {
  const auto response = get("/metrics?format=x%3Cml");
  EXPECT_EQ(response.result(), bhttp::status::bad_request);
  EXPECT_EQ(header(response, bhttp::field::content_type), "application/json");
  const auto body = body_json(response);
  EXPECT_EQ(body["code"], 400);
  EXPECT_NE(body["error"].get<std::string>().find("\"x<ml\""), std::string::npos);
}

TEST_F(RouterTest, MetricsAreGzippedWhenAccepted) {
  const auto response = get("/metrics", {{bhttp::field::accept_encoding, "br, gzip;q=0.8"}});
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(header(response, bhttp::field::content_encoding), "gzip");
  ASSERT_GE(response.body().size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(response.body()[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(response.body()[1]), 0x8b);
  EXPECT_EQ(header(response, bhttp::field::content_length), std::to_string(response.body().size()));

  const auto refused = get("/metrics", {{bhttp::field::accept_encoding, "gzip;q=0"}});
  EXPECT_TRUE(header(refused, bhttp::field::content_encoding).empty());
}

TEST_F(RouterTest, HealthDocumentHasEveryPromisedField) {
  sources_.declare("pixie", true);
  sources_.record_success("pixie");
  sources_.declare("xray", false);
  auto body = body_json(get("/health"));
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["version"], std::string(version()));
  EXPECT_TRUE(body["timestamp"].get<std::string>().ends_with("Z"));
  EXPECT_TRUE(body["uptime_seconds"].is_number_integer());
  const auto& server = body["server"];
  for (const char* key : {"running", "port", "requests", "metrics", "collections"}) {
    EXPECT_TRUE(server.contains(key)) << key;
  }
  EXPECT_TRUE(server["last_collection"].is_null());
  EXPECT_EQ(server["collections"], 0);
  EXPECT_EQ(body["sources"]["pixie"]["enabled"], true);
  EXPECT_EQ(body["sources"]["pixie"]["up"], true);
  EXPECT_TRUE(body["sources"]["pixie"]["last_success"].is_string());
  EXPECT_TRUE(body["sources"]["pixie"]["last_error"].is_null());
  EXPECT_EQ(body["sources"]["xray"]["enabled"], false);
  EXPECT_TRUE(body["sources"]["xray"]["last_success"].is_null());

  (void)get("/metrics");
  body = body_json(get("/health"));
  EXPECT_EQ(body["server"]["collections"], 1);
  EXPECT_GE(body["server"]["metrics"].get<int>(), 1);
  const auto last = body["server"]["last_collection"].get<std::string>();
  EXPECT_EQ(last.size(), std::string("2024-01-01T00:00:00.000Z").size());
}

TEST_F(RouterTest, ReadyIs503UntilTheContextIsReady) {
  auto response = get("/ready");
  EXPECT_EQ(response.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(body_json(response), json({{"status", "starting"}}));
  context_.ready = true;
  response = get("/ready");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(body_json(response), json({{"status", "ready"}}));
  context_.stats.stopping = true;
  EXPECT_EQ(get("/ready").result(), bhttp::status::service_unavailable);
}

TEST_F(RouterTest, HealthMergesASourcesOwnDetails) {
  sources_.declare("netprobe", true);
  sources_.record_success("netprobe");
  sources_.set_details("netprobe",
                       R"({"running": true, "collections": 3, "interfaces": ["eth0"], "up": false})");
  sources_.declare("xray", true);
  sources_.set_details("xray", "not json");
  const auto body = body_json(get("/health"));
  const auto& netprobe = body["sources"]["netprobe"];
  EXPECT_EQ(netprobe["running"], true);
  EXPECT_EQ(netprobe["collections"], 3);
  EXPECT_EQ(netprobe["interfaces"], json::array({"eth0"}));
  EXPECT_EQ(netprobe["up"], true);  // the generic keys win
  EXPECT_EQ(body["sources"]["xray"]["enabled"], true);  // bad details are ignored
  EXPECT_FALSE(body["sources"]["xray"].contains("running"));
}

TEST_F(RouterTest, SourcesIsAJsonArrayFromTheBoard) {
  sources_.declare("beyla", true);
  sources_.record_failure("beyla", "connection refused");
  sources_.declare("netprobe", false);
  const auto response = get("/api/v1/sources");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  const auto body = body_json(response);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0]["name"], "beyla");
  EXPECT_EQ(body[0]["up"], false);
  EXPECT_EQ(body[0]["last_error"], "connection refused");
  EXPECT_TRUE(body[0]["last_error_time"].is_string());
  EXPECT_EQ(body[1]["name"], "netprobe");
  EXPECT_EQ(body[1]["enabled"], false);
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  const auto routed = dispatch(context_, Request{bhttp::verb::get, "/nope?x=1", 11});
  EXPECT_EQ(routed.response.result(), bhttp::status::not_found);
  EXPECT_EQ(routed.handler, kHandlerOther);
  const auto body = json::parse(routed.response.body());
  EXPECT_EQ(body["code"], 404);
  EXPECT_TRUE(body["error"].is_string());
  // Routes match exactly: no prefix or trailing-slash variants.
  EXPECT_EQ(get("/metrics/").result(), bhttp::status::not_found);
  EXPECT_EQ(get("/healthz").result(), bhttp::status::not_found);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  for (const auto method : {bhttp::verb::post, bhttp::verb::put, bhttp::verb::delete_}) {
    const auto response = send(method, "/metrics");
    EXPECT_EQ(response.result(), bhttp::status::method_not_allowed);
    EXPECT_EQ(header(response, bhttp::field::allow), "GET, HEAD, OPTIONS");
    EXPECT_EQ(body_json(response)["code"], 405);
  }
}

TEST_F(RouterTest, HeadHasTheGetHeadersAndNoBody) {
  const auto full = get("/api/v1/sources");
  const auto head = send(bhttp::verb::head, "/api/v1/sources");
  EXPECT_EQ(head.result(), bhttp::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(header(head, bhttp::field::content_length), std::to_string(full.body().size()));
  EXPECT_EQ(header(head, bhttp::field::content_type), header(full, bhttp::field::content_type));

  const auto missing = send(bhttp::verb::head, "/missing");
  EXPECT_EQ(missing.result(), bhttp::status::not_found);
  EXPECT_TRUE(missing.body().empty());
}

TEST_F(RouterTest, DispatchNamesTheHandler) {
  EXPECT_EQ(dispatch(context_, Request{bhttp::verb::get, "/metrics", 11}).handler, kHandlerMetrics);
  EXPECT_EQ(dispatch(context_, Request{bhttp::verb::get, "/api/v1/metrics", 11}).handler,
            kHandlerApiMetrics);
  EXPECT_EQ(dispatch(context_, Request{bhttp::verb::post, "/health", 11}).handler, kHandlerHealth);
}

TEST_F(RouterTest, EveryResponseCarriesServerVersionAndKeepAlive) {
  const auto response = get("/health");
  EXPECT_EQ(header(response, bhttp::field::server), "observo/" + std::string(version()));
  EXPECT_TRUE(response.keep_alive());
  const auto closing = get("/health", {{bhttp::field::connection, "close"}});
  EXPECT_FALSE(closing.keep_alive());
  const auto old = send(bhttp::verb::get, "/health", {}, 10);
  EXPECT_EQ(old.version(), 10u);
  EXPECT_FALSE(old.keep_alive());
  EXPECT_EQ(header(get("/nope"), bhttp::field::server), "observo/" + std::string(version()));
}

TEST_F(RouterTest, OptionsAnswers204WithAllow) {
  const auto response = send(bhttp::verb::options, "/metrics");
  EXPECT_EQ(response.result(), bhttp::status::no_content);
  EXPECT_EQ(header(response, bhttp::field::allow), "GET, HEAD, OPTIONS");
  EXPECT_TRUE(header(response, bhttp::field::access_control_allow_origin).empty());
}

TEST_F(RouterTest, ErrorHelperBuildsTheJsonShape) {
  const auto response = error_response(bhttp::status::payload_too_large, "too \"big\"");
  EXPECT_EQ(response.result(), bhttp::status::payload_too_large);
  EXPECT_EQ(json::parse(response.body()), json({{"error", "too \"big\""}, {"code", 413}}));
}

}  // namespace
}  // namespace observo::http

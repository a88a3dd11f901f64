// `observo server` with the Pixie source against the fake Vizier, through the real binary:
// scheduled runs mapped to the pixie_* metrics (counters accumulating across runs over
// back-to-back windows, gauges replaced, vanished series gone), the self-metrics, and the
// REST routes (/api/v1/health, /api/v1/scripts, /api/v1/query, /api/v1/export,
// /api/v1/metrics?script=).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "pixie/fake_vizier.h"
#include "pixie/run_observo.h"

namespace observo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using Rows = std::vector<std::map<std::string, std::string>>;

Rows http_rows(const std::string& requests) {
  return {{{"namespace", "default"},
           {"service", "default/cart"},
           {"requests", requests},
           {"errors", "2"},
           {"latency_avg_ms", "12.5"},
           {"latency_p50_ms", "10"},
           {"latency_p90_ms", "20"},
           {"latency_p99_ms", "40.25"}}};
}

Rows resource_rows(const std::string& pod) {
  return {{{"namespace", "shop"},
           {"pod", "shop/" + pod},
           {"cpu_usage", "0.5"},
           {"memory_usage", "0.25"},
           {"memory_rss_bytes", "1048576"},
           {"memory_vsize_bytes", "4194304"}}};
}

// Polls /metrics until `pattern` appears (or 15 s pass); returns the last body.
std::string wait_for_metrics(std::uint16_t port, const std::string& needle) {
  std::string body;
  for (int i = 0; i < 150; ++i) {
    body = http_request(port, "GET", "/metrics").body;
    if (body.find(needle) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return body;
}

class PixieServer : public ::testing::Test {
 protected:
  void SetUp() override {
    if (observo_binary().empty()) GTEST_SKIP() << "the observo binary is not built";
  }
  std::string config(const std::string& address, const std::string& scripts, bool enabled = true) {
    return dir_.write("observo.yaml",
                      "metrics:\n  process_metrics: false\npixie:\n  enabled: " +
                          std::string(enabled ? "true" : "false") + "\n  scripts: [" + scripts +
                          "]\n" + "  clusters:\n    - id: local\n      address: " + address +
                          "\n      disable_ssl: true\n      interval: 1s\n"
                          "      query_timeout: 2s\n");
  }
  ScratchDir dir_;
};

TEST_F(PixieServer, ScheduledRunsAccumulateCountersOverAdjacentWindows) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  fake.set_script_rows("http_overview", http_rows("10"));
  ObservoServer server(config(fake.address(), "\"http_overview\""));
  ASSERT_TRUE(server.started()) << server.log();

  const std::string labels = R"({cluster_id="local",namespace="default",service="cart"})";
  auto body = wait_for_metrics(server.port(), "pixie_http_requests_total" + labels + " 20\n");
  EXPECT_THAT(body, HasSubstr("pixie_http_requests_total" + labels + " 20\n")) << server.log();
  EXPECT_THAT(body, HasSubstr("# TYPE pixie_http_requests_total counter\n"));
  EXPECT_THAT(body, HasSubstr("pixie_http_errors_total" + labels + " 4\n"));
  EXPECT_THAT(body, HasSubstr("pixie_http_request_duration_milliseconds" + labels + " 12.5\n"));
  EXPECT_THAT(body, HasSubstr("# TYPE pixie_http_request_duration_milliseconds gauge\n"));
  EXPECT_THAT(body,
              HasSubstr("pixie_http_request_duration_milliseconds_quantile{cluster_id=\"local\","
                        "namespace=\"default\",quantile=\"0.99\",service=\"cart\"} 40.25\n"));
  EXPECT_THAT(body, HasSubstr(R"(observo_source_up{cluster_id="local",source="pixie"} 1)"));
  EXPECT_THAT(
      body,
      HasSubstr(
          R"(observo_connector_queries_total{cluster_id="local",script="http_overview",status="success"})"));
  EXPECT_THAT(
      body,
      HasSubstr(R"(observo_pixie_rows_received_total{cluster_id="local",script="http_overview"})"));
  EXPECT_THAT(
      body,
      HasSubstr(
          R"(observo_pixie_query_duration_seconds_count{cluster_id="local",script="http_overview"})"));

  // Each run asks for the window that starts where the previous one ended.
  const std::regex window(R"(start_time=([0-9]+), end_time=([0-9]+)\))");
  std::vector<std::pair<long long, long long>> windows;
  for (const auto& seen : fake.seen()) {
    std::smatch match;
    if (std::regex_search(seen.query, match, window)) {
      windows.emplace_back(std::stoll(match[1]), std::stoll(match[2]));
    }
  }
  ASSERT_GE(windows.size(), 2u);
  EXPECT_EQ(windows[1].first, windows[0].second);
  EXPECT_GE(windows[0].second - windows[0].first, 1'000'000'000LL);
}

TEST_F(PixieServer, GaugesOfVanishedPodsDisappear) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  fake.set_script_rows("resource_usage", resource_rows("cart-1"));
  ObservoServer server(config(fake.address(), "\"resource_usage\""));
  ASSERT_TRUE(server.started()) << server.log();
  const std::string cart =
      R"(pixie_pod_cpu_usage_ratio{cluster_id="local",namespace="shop",pod="cart-1"} 0.5)";
  EXPECT_THAT(wait_for_metrics(server.port(), cart), HasSubstr(cart));
  fake.set_script_rows("resource_usage", resource_rows("cart-2"));
  const std::string cart2 =
      R"(pixie_pod_cpu_usage_ratio{cluster_id="local",namespace="shop",pod="cart-2"} 0.5)";
  const auto body = wait_for_metrics(server.port(), cart2);
  EXPECT_THAT(body, HasSubstr(cart2));
  EXPECT_THAT(body, Not(HasSubstr("cart-1")));
  EXPECT_THAT(
      body,
      HasSubstr(
          R"(pixie_pod_memory_rss_bytes{cluster_id="local",namespace="shop",pod="cart-2"} 1048576)"));
}

TEST_F(PixieServer, RestHealthAndScripts) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  ObservoServer server(config(fake.address(), "", false));
  ASSERT_TRUE(server.started()) << server.log();
  const auto healthy = http_request(server.port(), "GET", "/api/v1/health?cluster_id=local");
  EXPECT_EQ(healthy.status, 200);
  const auto doc = nlohmann::json::parse(healthy.body);
  EXPECT_EQ(doc["status"], "healthy");
  EXPECT_EQ(doc["cluster_id"], "local");
  fake.set_healthy(false);
  const auto sick = http_request(server.port(), "GET", "/api/v1/health");
  EXPECT_EQ(sick.status, 503);
  EXPECT_EQ(nlohmann::json::parse(sick.body)["error"],
            "Vizier at " + fake.address() +
                " reports status 14 (UNAVAILABLE: its own health check fails)");
  EXPECT_EQ(http_request(server.port(), "GET", "/api/v1/health?cluster_id=nope").status, 404);

  const auto list = http_request(server.port(), "GET", "/api/v1/scripts");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(nlohmann::json::parse(list.body).size(), 6u);
  const auto one = http_request(server.port(), "GET", "/api/v1/scripts/service_latency");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(nlohmann::json::parse(one.body)["category"], "Application");
  EXPECT_EQ(http_request(server.port(), "GET", "/api/v1/scripts/nope").status, 404);
}

TEST_F(PixieServer, RestQueryExportAndScriptMetrics) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  fake.set_script_rows("http_overview", http_rows("7"));
  ObservoServer server(config(fake.address(), "", false));
  ASSERT_TRUE(server.started()) << server.log();
  const auto port = server.port();

  const auto json = http_request(port, "POST", "/api/v1/query",
                                 R"({"query":"import px","cluster_id":"local","format":"json"})");
  EXPECT_EQ(json.status, 200);
  EXPECT_EQ(json.content_type, "application/json");
  const auto doc = nlohmann::json::parse(json.body);
  EXPECT_EQ(doc["row_count"], 3);
  EXPECT_EQ(doc["data"][0]["upid"], "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(doc["tables"][0]["name"], "summary");

  const auto csv = http_request(port, "GET", "/api/v1/query?query=import%20px&format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_THAT(csv.body, ::testing::StartsWith("time_,upid,service,latency,ratio,ok\n"
                                              "2023-11-14T22:13:20.123456789Z,"));

  const auto compile = http_request(port, "POST", "/api/v1/query", R"({"query":"compile_error"})");
  EXPECT_EQ(compile.status, 400);
  EXPECT_EQ(nlohmann::json::parse(compile.body)["error"],
            "compile error: 3:14: name 'foo' is not defined\ncompile error: 5:1: no table 'nope'");
  EXPECT_EQ(http_request(port, "POST", "/api/v1/query", R"({"query":"slow"})").status, 504);
  EXPECT_EQ(http_request(port, "POST", "/api/v1/query", R"({"format":"xml","query":"x"})").status,
            400);
  EXPECT_EQ(http_request(port, "POST", "/api/v1/query", "not json").status, 400);

  const auto exported = http_request(
      port, "POST", "/api/v1/export",
      R"({"script":"http_overview","params":{"start_time":"-10m"},"format":"csv","options":{"compression":"gzip"}})");
  EXPECT_EQ(exported.status, 200);
  EXPECT_EQ(exported.content_type, "application/gzip");
  ASSERT_GE(exported.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(exported.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(exported.body[1]), 0x8b);
  EXPECT_THAT(fake.seen().back().query, HasSubstr("start_time='-10m'"));
  const auto bad_param = http_request(port, "POST", "/api/v1/export",
                                      R"({"script":"http_overview","params":{"x":"1"}})");
  EXPECT_EQ(bad_param.status, 400);

  const auto metrics =
      http_request(port, "GET", "/api/v1/metrics?script=http_overview&start_time=-1h");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("pixie_http_requests_total{cluster_id=\"local\","
                                      "namespace=\"default\",service=\"cart\"} 7\n"));
  EXPECT_THAT(fake.seen().back().query, HasSubstr("start_time='-1h'"));
  // Without script= the builtin route answers with the registry.
  const auto all = http_request(port, "GET", "/api/v1/metrics");
  EXPECT_EQ(all.status, 200);
  EXPECT_THAT(all.body, HasSubstr("observo_connector_up 1"));
}

TEST_F(PixieServer, UnreachableVizierIs502) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto address = fake.address();
  fake.stop();
  ObservoServer server(config(address, "", false));
  ASSERT_TRUE(server.started()) << server.log();
  const auto answer = http_request(server.port(), "POST", "/api/v1/query", R"({"query":"x"})");
  EXPECT_EQ(answer.status, 502);
  EXPECT_THAT(nlohmann::json::parse(answer.body)["error"].get<std::string>(),
              ::testing::StartsWith("cannot reach Vizier at " + address));
}

}  // namespace
}  // namespace observo::testing

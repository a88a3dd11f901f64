// `observo server` with the Pixie source against the fake Vizier, through the real binary:
// scheduled runs mapped to the pixie_* metrics (counters accumulating across runs over
// back-to-back windows, gauges replaced, vanished series gone), the self-metrics, and the
// REST routes (/api/v1/health, /api/v1/scripts, /api/v1/query, /api/v1/export,
// /api/v1/metrics?script=).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "pixie/fake_vizier.h"
#include "pixie/run_observo.h"
#include "support/test_client.h"

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

// notAfter of a PEM certificate as Unix seconds (0 when unreadable).
long long not_after_unix(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return 0;
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (cert == nullptr) return 0;
  std::tm tm{};
  const bool ok = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1;
  X509_free(cert);
  return ok ? static_cast<long long>(timegm(&tm)) : 0;
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

TEST_F(PixieServer, UserScriptsRunOnTheScheduleAsGauges) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  dir_.write("scripts/mixed.pxl",
             "# name: mixed\n# description: every column type\n# category: Test\n"
             "import px\npx.display(px.DataFrame(table='mixed'))\n");
  const auto cfg =
      dir_.write("observo.yaml",
                 "metrics:\n  process_metrics: false\npixie:\n  enabled: true\n"
                 "  scripts_dir: scripts\n  scripts: [\"mixed\"]\n  clusters:\n"
                 "    - id: local\n      address: " +
                     fake.address() + "\n      disable_ssl: true\n      interval: 1s\n");
  ObservoServer server(cfg);
  ASSERT_TRUE(server.started()) << server.log();
  const auto body = wait_for_metrics(server.port(), "pixie_mixed_latency");
  // No metric: lines, so numeric columns become pixie_mixed_<column> gauges and the string and
  // boolean columns their labels, for both tables of the answer.
  for (
      const std::string line :
      {"pixie_mixed_count{cluster_id=\"local\",service=\"cart\"} 3\n",
       "pixie_mixed_latency{cluster_id=\"local\",ok=\"true\",service=\"cart,\\\"x\\\"\"} 1500000\n",
       "pixie_mixed_latency{cluster_id=\"local\",ok=\"false\",service=\"caf\xC3\xA9\\\\xFF\"} -3\n",
       "pixie_mixed_ratio{cluster_id=\"local\",ok=\"true\",service=\"cart,\\\"x\\\"\"} 0.25\n",
       "pixie_mixed_ratio{cluster_id=\"local\",ok=\"false\",service=\"caf\xC3\xA9\\\\xFF\"} NaN\n",
       "pixie_mixed_ratio{cluster_id=\"local\",ok=\"true\",service=\"\"} -0.5\n"}) {
    EXPECT_THAT(body, HasSubstr(line)) << body;
  }
  const auto seen = fake.seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].query_name, "observo_mixed");
  EXPECT_THAT(seen[0].query, HasSubstr("px.DataFrame(table='mixed')"));
  // Listed beside the builtin ones.
  const auto one = http_request(server.port(), "GET", "/api/v1/scripts/mixed");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(nlohmann::json::parse(one.body)["category"], "Test");
}

TEST_F(PixieServer, StopCancelsAQueryInFlight) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  dir_.write("scripts/stuck.pxl",
             "# name: stuck\n# description: never answers\nimport px\n# slow\n");
  const auto cfg =
      dir_.write("observo.yaml",
                 "pixie:\n  enabled: true\n  scripts_dir: scripts\n  scripts: [\"stuck\"]\n"
                 "  clusters:\n    - id: local\n      address: " +
                     fake.address() + "\n      disable_ssl: true\n      query_timeout: 1h\n");
  ObservoServer server(cfg);
  ASSERT_TRUE(server.started()) << server.log();
  for (int i = 0; i < 100 && fake.seen().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(fake.seen().size(), 1u);  // the query is running and will not end by itself
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(), 0) << server.log();
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(10));
}

TEST_F(PixieServer, CertificateExpiryIsExposed) {
  ScratchDir certs;
  const std::string command = std::string(OBSERVO_SOURCE_DIR) + "/scripts/gen-certs.sh " +
                              certs.path("") + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) GTEST_SKIP() << "openssl could not generate certificates";
  FakeVizier fake({.tls = true,
                   .cert_file = certs.path("server.crt"),
                   .key_file = certs.path("server.key"),
                   .client_ca_file = certs.path("ca.crt")});
  ASSERT_TRUE(fake.start());
  const auto cfg =
      dir_.write("observo.yaml",
                 "pixie:\n  enabled: true\n  scripts: []\n  clusters:\n    - id: local\n"
                 "      address: " +
                     fake.address() + "\n      ca_cert: " + certs.path("ca.crt") +
                     "\n      client_cert: " + certs.path("client.crt") +
                     "\n      client_key: " + certs.path("client.key") + "\n");
  ObservoServer server(cfg);
  ASSERT_TRUE(server.started()) << server.log();
  const auto body = http_request(server.port(), "GET", "/metrics").body;
  for (const auto& [file, key] : {std::pair{"ca.crt", "ca_cert"}, {"client.crt", "client_cert"}}) {
    const auto expected = not_after_unix(certs.path(file));
    ASSERT_GT(expected, 0) << file;
    EXPECT_THAT(body, HasSubstr("observo_certificate_expiry_timestamp_seconds{cert=\"local/" +
                                std::string(key) + "\",source=\"pixie\"} " +
                                std::to_string(expected) + "\n"));
  }
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

// A large result streams: headers first with Transfer-Encoding: chunked, then the rows as they
// arrive, byte for byte what the CLI prints; gzip exports stream too, keep-alive survives a
// streamed answer, HTTP/1.0 gets a close-delimited body, and an error before the first row keeps
// its JSON status; one after it truncates the transfer, as does a client that stops reading.
TEST_F(PixieServer, LargeResultsStreamChunkedAndMatchTheCli) {
  namespace bhttp = boost::beast::http;
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto cfg = dir_.write("stream.yaml",
                              "server:\n  write_timeout: 2s\n"
                              "pixie:\n  enabled: false\n  clusters:\n"
                              "    - id: local\n      address: " +
                                  fake.address() +
                                  "\n      disable_ssl: true\n"
                                  "      query_timeout: 60s\n");
  ObservoServer server(cfg);
  ASSERT_TRUE(server.started()) << server.log();
  const auto cli = run_observo({"--config", cfg, "query", "rows:50000", "--format", "csv"});
  ASSERT_EQ(cli.code, 0) << cli.err;
  ASSERT_EQ(std::count(cli.out.begin(), cli.out.end(), '\n'), 50001);
  ASSERT_THAT(cli.out, ::testing::StartsWith("time_,id,value,name\n"
                                             "2023-11-14T22:13:20.000000000Z,0,0,svc-0\n"
                                             "2023-11-14T22:13:20.000001000Z,1,0.25,svc-1\n"));

  const auto post = [](const std::string& target, const std::string& body, unsigned version) {
    auto request = make_request(bhttp::verb::post, target);
    request.version(version);
    request.set(bhttp::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    return request;
  };
  TestClient client(server.port(), std::nullopt, std::chrono::seconds(20));
  ASSERT_FALSE(client.connect());
  ClientResponse csv;
  ASSERT_FALSE(client.request(
      post("/api/v1/query", R"({"query":"rows:50000","cluster_id":"local","format":"csv"})", 11),
      csv));
  EXPECT_EQ(csv.result_int(), 200u);
  EXPECT_EQ(csv[bhttp::field::transfer_encoding], "chunked");
  EXPECT_EQ(csv.count(bhttp::field::content_length), 0u);
  EXPECT_EQ(csv[bhttp::field::content_type], "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body().size(), cli.out.size());
  EXPECT_TRUE(csv.body() == cli.out);

  // The same connection serves the next request after a complete streamed answer.
  ClientResponse json;
  ASSERT_FALSE(client.request(
      make_request(bhttp::verb::get, "/api/v1/query?query=rows:3&format=json"), json));
  EXPECT_EQ(json.result_int(), 200u);
  EXPECT_EQ(json[bhttp::field::transfer_encoding], "chunked");
  const auto doc = nlohmann::json::parse(json.body());
  EXPECT_EQ(doc["row_count"], 3);
  EXPECT_EQ(doc["data"][2]["name"], "svc-2");
  EXPECT_EQ(doc["data"][2]["value"], 0.5);

  ClientResponse gzip;
  ASSERT_FALSE(client.request(
      post("/api/v1/export",
           R"({"query":"rows:50000","format":"csv","options":{"compression":"gzip"}})", 11),
      gzip));
  EXPECT_EQ(gzip.result_int(), 200u);
  EXPECT_EQ(gzip[bhttp::field::transfer_encoding], "chunked");
  EXPECT_EQ(gzip[bhttp::field::content_type], "application/gzip");
  EXPECT_EQ(gzip[bhttp::field::content_disposition],
            "attachment; filename=\"observo-export.csv.gz\"");
  const auto inflated = gunzip(gzip.body());
  ASSERT_TRUE(inflated.has_value());
  EXPECT_LT(gzip.body().size(), inflated->size() / 2);
  EXPECT_TRUE(*inflated == cli.out);

  // An error before the first row is still a JSON answer with its status (and a length).
  ClientResponse compile;
  ASSERT_FALSE(client.request(post("/api/v1/query", R"({"query":"compile_error"})", 11), compile));
  EXPECT_EQ(compile.result_int(), 400u);
  EXPECT_EQ(compile.count(bhttp::field::transfer_encoding), 0u);
  EXPECT_EQ(compile[bhttp::field::content_length], std::to_string(compile.body().size()));
  EXPECT_EQ(nlohmann::json::parse(compile.body())["code"], 400);
  client.close();

  // HTTP/1.0 has no chunks: the body ends where the connection does.
  TestClient old(server.port(), std::nullopt, std::chrono::seconds(20));
  ASSERT_FALSE(old.connect());
  ClientResponse close_delimited;
  ASSERT_FALSE(old.request(post("/api/v1/query", R"({"query":"rows:50000","format":"csv"})", 10),
                           close_delimited));
  EXPECT_EQ(close_delimited.result_int(), 200u);
  EXPECT_EQ(close_delimited.count(bhttp::field::transfer_encoding), 0u);
  EXPECT_EQ(close_delimited.count(bhttp::field::content_length), 0u);
  EXPECT_TRUE(close_delimited.body() == cli.out);

  // An error after the first bytes ends the transfer without its last chunk: a truncated body.
  TestClient cut(server.port(), std::nullopt, std::chrono::seconds(20));
  ASSERT_FALSE(cut.connect());
  ClientResponse truncated;
  EXPECT_EQ(
      cut.request(post("/api/v1/query", R"({"query":"bad_batch","format":"csv"})", 11), truncated),
      bhttp::error::partial_message);
  EXPECT_EQ(http_request(server.port(), "GET", "/ready").status, 200);

  // A client that stops reading is cut off after server.write_timeout (2 s here); the server
  // goes on serving.
  TestClient stalled(server.port(), std::nullopt, std::chrono::seconds(20));
  ASSERT_FALSE(stalled.connect());
  ASSERT_FALSE(
      stalled.send(post("/api/v1/query", R"({"query":"rows:2000000","format":"csv"})", 11)));
  std::string log;
  for (int i = 0; i < 150 && log.find("due to a timeout") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    log = server.log();
  }
  EXPECT_THAT(log, ::testing::ContainsRegex("warning http: streamed answer to 127.0.0.1:[0-9]+ "
                                            "POST /api/v1/query cut short after [0-9]+ bytes: "
                                            "The socket was closed due to a timeout"));
  EXPECT_EQ(http_request(server.port(), "GET", "/ready").status, 200);
}

}  // namespace
}  // namespace observo::testing

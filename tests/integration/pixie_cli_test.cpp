// observo health / query / scripts through the real binary against the fake Vizier: TLS, mTLS,
// server-name override, skip-verify, JWT, every column type, compiler errors, a stream that
// fails mid-way, a slow one, and the seed flags of the earlier connector.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "pixie/fake_vizier.h"
#include "pixie/run_observo.h"

namespace observo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kJwtKey =
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
    "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

// One row of the builtin http_overview script, as the fake Vizier answers it.
std::vector<std::map<std::string, std::string>> http_overview_rows() {
  return {{{"namespace", "default"},
           {"service", "default/cart"},
           {"requests", "10"},
           {"errors", "2"},
           {"latency_avg_ms", "12.5"},
           {"latency_p50_ms", "10"},
           {"latency_p90_ms", "20"},
           {"latency_p99_ms", "40.25"}}};
}

class PixieCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = new ScratchDir();
    const std::string command =
        std::string(OBSERVO_SOURCE_DIR) + "/scripts/gen-certs.sh " + certs_->path("") + " 2>&1";
    certs_ok_ = std::system(command.c_str()) == 0;
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override {
    if (observo_binary().empty()) GTEST_SKIP() << "the observo binary is not built";
    if (!certs_ok_) GTEST_SKIP() << "openssl could not generate certificates";
  }

  static std::string cert(const std::string& name) { return certs_->path(name); }

  // A config with one cluster "local" at `address` and the given extra cluster keys.
  std::string config(const std::string& address, const std::string& extra = "") {
    return dir_.write("observo.yaml", "pixie:\n  clusters:\n    - id: local\n      address: " +
                                          address + "\n" + extra);
  }

  static inline ScratchDir* certs_ = nullptr;
  static inline bool certs_ok_ = false;
  ScratchDir dir_;
};

TEST_F(PixieCli, HealthyPlaintextExitsZero) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto cfg = config(fake.address(), "      disable_ssl: true\n");
  const auto run = run_observo({"--config", cfg, "health"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith("healthy: cluster local at " + fake.address() + " (status 0, "));

  const auto json = run_observo({"--config", cfg, "health", "--output", "json"});
  EXPECT_EQ(json.code, 0) << json.err;
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["status"], "healthy");
  EXPECT_EQ(doc["code"], 0);
  EXPECT_EQ(doc["cluster_id"], "local");
  EXPECT_EQ(doc["address"], fake.address());
  EXPECT_FALSE(doc.contains("error"));
}

TEST_F(PixieCli, UnhealthyExitsOneWithTheReason) {
  FakeVizier fake({.healthy = false});
  ASSERT_TRUE(fake.start());
  const auto cfg = config(fake.address(), "      disable_ssl: true\n");
  const auto run = run_observo({"--config", cfg, "health", "--output", "json"});
  EXPECT_EQ(run.code, 1);
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["status"], "unhealthy");
  EXPECT_EQ(doc["code"], 14);
  EXPECT_EQ(doc["error"], "Vizier at " + fake.address() +
                              " reports status 14 (UNAVAILABLE: its own health check fails)");
}

TEST_F(PixieCli, ASilentHealthStreamTimesOut) {
  FakeVizier fake({.health_silent = true});
  ASSERT_TRUE(fake.start());
  const auto cfg = dir_.write("observo.yaml",
                              "pixie:\n  health_timeout: 300ms\n  clusters:\n    - id: local\n"
                              "      address: " +
                                  fake.address() + "\n      disable_ssl: true\n");
  const auto started = std::chrono::steady_clock::now();
  const auto run = run_observo({"--config", cfg, "health", "--output", "json"});
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(run.code, 1) << run.err;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["status"], "unhealthy");
  EXPECT_EQ(doc["error"], "Vizier at " + fake.address() + " did not answer in time");
  EXPECT_FALSE(doc.contains("code"));
  // Bounded by the deadline, not by the stream (which never ends by itself).
  EXPECT_LT(took, std::chrono::seconds(10));
  ASSERT_EQ(fake.seen().size(), 1u);
  EXPECT_EQ(fake.seen()[0].method, "HealthCheck");
}

TEST_F(PixieCli, UnreachableExitsOne) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto address = fake.address();
  fake.stop();
  const auto run =
      run_observo({"--config", config(address, "      disable_ssl: true\n"), "health"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, StartsWith("unhealthy: cluster local: cannot reach Vizier at " + address));
}

TEST_F(PixieCli, NoClusterOrUnknownClusterIsAUsageError) {
  const auto none = run_observo({"--config", dir_.write("empty.yaml", "pixie: {}\n"), "health"});
  EXPECT_EQ(none.code, 2);
  EXPECT_THAT(none.err, HasSubstr("no Pixie cluster is configured"));
  const auto unknown = run_observo({"--config", config("127.0.0.1:1", "      disable_ssl: true\n"),
                                    "health", "--cluster-id", "prod"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_EQ(unknown.err, "observo health: unknown cluster id 'prod' (configured: local) (" +
                             dir_.path("observo.yaml") + ")\n");
}

TEST_F(PixieCli, ClusterIdSelectsTheCluster) {
  FakeVizier good({});
  ASSERT_TRUE(good.start());
  const auto cfg = dir_.write("two.yaml",
                              "pixie:\n  clusters:\n    - id: dead\n      address: 127.0.0.1:1\n"
                              "      disable_ssl: true\n    - id: live\n      address: " +
                                  good.address() + "\n      disable_ssl: true\n");
  EXPECT_EQ(run_observo({"--config", cfg, "health"}).code, 1);
  EXPECT_EQ(run_observo({"--config", cfg, "health", "--cluster-id", "live"}).code, 0);
}

TEST_F(PixieCli, TlsWithTheRightCaIsHealthy) {
  FakeVizier fake({.tls = true, .cert_file = cert("server.crt"), .key_file = cert("server.key")});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo(
      {"--config", config(fake.address(), "      ca_cert: " + cert("ca.crt") + "\n"), "health"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
}

TEST_F(PixieCli, TlsWithTheWrongCaFails) {
  FakeVizier fake({.tls = true, .cert_file = cert("server.crt"), .key_file = cert("server.key")});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo(
      {"--config", config(fake.address(), "      ca_cert: " + cert("other-ca.crt") + "\n"),
       "health"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out,
              StartsWith("unhealthy: cluster local: cannot reach Vizier at " + fake.address()));
}

TEST_F(PixieCli, ServerNameOverrideIsChecked) {
  FakeVizier fake({.tls = true, .cert_file = cert("server.crt"), .key_file = cert("server.key")});
  ASSERT_TRUE(fake.start());
  const std::string ca = "      ca_cert: " + cert("ca.crt") + "\n";
  const auto right = run_observo(
      {"--config",
       config(fake.address(), ca + "      server_name: vizier-query-broker-svc.pl.svc\n"),
       "health"});
  EXPECT_EQ(right.code, 0) << right.out << "\nstderr:\n" << right.err;
  const auto wrong = run_observo(
      {"--config", config(fake.address(), ca + "      server_name: wrong.example.com\n"),
       "health"});
  EXPECT_EQ(wrong.code, 1) << wrong.out << "\nstderr:\n" << wrong.err;
}

TEST_F(PixieCli, SkipVerifyAcceptsAnUnknownCaWithAWarning) {
  FakeVizier fake({.tls = true, .cert_file = cert("server.crt"), .key_file = cert("server.key")});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo({"--config",
                                config(fake.address(), "      ca_cert: " + cert("other-ca.crt") +
                                                           "\n      skip_verify: true\n"),
                                "health"});
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_THAT(run.err, HasSubstr("observo: warning: pixie.clusters[0].skip_verify: the server "
                                 "certificate of '" +
                                 fake.address() + "' is not verified"));
}

// skip_verify with no CA file and no client certificate: nothing to load, still TLS.
TEST_F(PixieCli, SkipVerifyWorksWithoutAnyCertificateFile) {
  FakeVizier fake({.tls = true, .cert_file = cert("server.crt"), .key_file = cert("server.key")});
  ASSERT_TRUE(fake.start());
  const auto run =
      run_observo({"--config", config(fake.address(), "      skip_verify: true\n"), "health"});
  EXPECT_EQ(run.code, 0) << run.out << "\nstderr:\n" << run.err;
  EXPECT_THAT(run.out, StartsWith("healthy: cluster local at " + fake.address()));
  EXPECT_THAT(run.err, HasSubstr("pixie.clusters[0].skip_verify: the server certificate of '" +
                                 fake.address() + "' is not verified"));
  const auto unreachable =
      run_observo({"--config", config("127.0.0.1:1", "      skip_verify: true\n"), "health"});
  EXPECT_EQ(unreachable.code, 1) << unreachable.out << "\nstderr:\n" << unreachable.err;
  EXPECT_THAT(unreachable.out, StartsWith("unhealthy: cluster local: cannot reach Vizier at "));
}

TEST_F(PixieCli, MutualTlsNeedsTheClientCertificate) {
  FakeVizier fake({.tls = true,
                   .cert_file = cert("server.crt"),
                   .key_file = cert("server.key"),
                   .client_ca_file = cert("ca.crt")});
  ASSERT_TRUE(fake.start());
  const std::string ca = "      ca_cert: " + cert("ca.crt") + "\n";
  EXPECT_EQ(run_observo({"--config", config(fake.address(), ca), "health"}).code, 1);
  const auto with =
      run_observo({"--config",
                   config(fake.address(), ca + "      client_cert: " + cert("client.crt") +
                                              "\n      client_key: " + cert("client.key") + "\n"),
                   "health"});
  EXPECT_EQ(with.code, 0) << with.out << with.err;
}

TEST_F(PixieCli, CertificateFilesAreCheckedAtStart) {
  const auto expired =
      run_observo({"--config",
                   config("127.0.0.1:1", "      client_cert: " + cert("expired.crt") +
                                             "\n      client_key: " + cert("expired.key") + "\n"),
                   "health"});
  EXPECT_EQ(expired.code, 2);
  EXPECT_EQ(expired.err, "observo health: pixie.clusters[0].client_cert: the certificate in '" +
                             cert("expired.crt") + "' has expired\n");
  const auto mismatch =
      run_observo({"--config",
                   config("127.0.0.1:1", "      client_cert: " + cert("client.crt") +
                                             "\n      client_key: " + cert("server.key") + "\n"),
                   "health"});
  EXPECT_EQ(mismatch.code, 2);
  EXPECT_THAT(mismatch.err, HasSubstr("pixie.clusters[0].client_key: '" + cert("server.key") +
                                      "' does not match the certificate"));
  const auto not_pem = run_observo(
      {"--config", config("127.0.0.1:1", "      ca_cert: " + cert("ca.key") + "\n"), "health"});
  EXPECT_EQ(not_pem.code, 2);
  EXPECT_THAT(not_pem.err, HasSubstr("pixie.clusters[0].ca_cert: '" + cert("ca.key") +
                                     "' does not hold a PEM certificate"));
}

TEST_F(PixieCli, CertificateExpiringSoonIsAWarning) {
  FakeVizier fake({.tls = true,
                   .cert_file = cert("server.crt"),
                   .key_file = cert("server.key"),
                   .client_ca_file = cert("ca.crt")});
  ASSERT_TRUE(fake.start());
  const auto run =
      run_observo({"--config",
                   config(fake.address(), "      ca_cert: " + cert("ca.crt") +
                                              "\n      client_cert: " + cert("soon.crt") +
                                              "\n      client_key: " + cert("soon.key") + "\n"),
                   "health"});
  EXPECT_EQ(run.code, 0) << run.out << "\nstderr:\n" << run.err;
  EXPECT_THAT(run.err, HasSubstr("observo: warning: pixie.clusters[0].client_cert: the "
                                 "certificate in '" +
                                 cert("soon.crt") + "' expires in less than 7 days"));
}

TEST_F(PixieCli, JwtIsVerifiedByVizier) {
  FakeVizier fake({.jwt_key = kJwtKey});
  ASSERT_TRUE(fake.start());
  const auto good_key = dir_.write("jwt.key", std::string(kJwtKey) + "\n");
  const auto bad_key = dir_.write("bad.key", "not-the-key\n");
  const std::string plain = "      disable_ssl: true\n";
  EXPECT_EQ(run_observo({"--config",
                         config(fake.address(), plain + "      jwt_signing_key_file: jwt.key\n"),
                         "health"})
                .code,
            0);
  const auto wrong = run_observo(
      {"--config", config(fake.address(), plain + "      jwt_signing_key_file: bad.key\n"),
       "health"});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_THAT(wrong.out, HasSubstr("rejected the credentials (invalid token signature)"));
  EXPECT_THAT(wrong.out + wrong.err, ::testing::Not(HasSubstr("not-the-key")));
  const auto env = run_observo(
      {"--config", config(fake.address(), plain + "      jwt_signing_key_env: PIXIE_KEY\n"),
       "health"},
      {{"PIXIE_KEY", kJwtKey}});
  EXPECT_EQ(env.code, 0) << env.out;
  const auto none = run_observo({"--config", config(fake.address(), plain), "health"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.out, HasSubstr("rejected the credentials (missing bearer token)"));
  const auto seen = fake.seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_THAT(seen.front().authorization, StartsWith("bearer ey"));
}

const char* kCsv =
    "time_,upid,service,latency,ratio,ok\n"
    "2023-11-14T22:13:20.123456789Z,00112233-4455-6677-8899-aabbccddeeff,\"cart,\"\"x\"\"\","
    "1500000,0.25,true\n"
    "2023-11-14T22:13:21.000000000Z,00000000-0000-0001-0000-000000000002,caf\xC3\xA9\\xFF,-3,NaN,"
    "false\n"
    "1970-01-01T00:00:00.000000000Z,00000000-0000-0000-0000-000000000000,,9223372036854775807,"
    "-0.5,true\n"
    "\n# table: summary\nservice,count\ncart,3\n";

TEST_F(PixieCli, QueryAsCsvHasEveryColumnType) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "query", "import px", "--format", "csv"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, kCsv);
}

TEST_F(PixieCli, QueryAsJsonHasTheConnectorShape) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "query", "import px\npx.display(x)"});
  EXPECT_EQ(run.code, 0) << run.err;
  const auto doc = nlohmann::json::parse(run.out);
  EXPECT_EQ(doc["query"], "import px\npx.display(x)");
  EXPECT_EQ(doc["table"], "http");
  EXPECT_EQ(doc["row_count"], 3);
  EXPECT_EQ(doc["query_id"], "11111111-2222-3333-4444-100000000001");
  EXPECT_EQ(doc["columns"].dump(),
            R"([{"name":"time_","type":"TIME64NS"},{"name":"upid","type":"UINT128"},)"
            R"({"name":"service","type":"STRING"},{"name":"latency","type":"INT64"},)"
            R"({"name":"ratio","type":"FLOAT64"},{"name":"ok","type":"BOOLEAN"}])");
  EXPECT_EQ(
      doc["data"].dump(),
      R"([{"latency":1500000,"ok":true,"ratio":0.25,"service":"cart,\"x\"",)"
      R"("time_":"2023-11-14T22:13:20.123456789Z","upid":"00112233-4455-6677-8899-aabbccddeeff"},)"
      R"({"latency":-3,"ok":false,"ratio":null,"service":"café\\xFF",)"
      R"("time_":"2023-11-14T22:13:21.000000000Z","upid":"00000000-0000-0001-0000-000000000002"},)"
      R"({"latency":9223372036854775807,"ok":true,"ratio":-0.5,"service":"",)"
      R"("time_":"1970-01-01T00:00:00.000000000Z","upid":"00000000-0000-0000-0000-000000000000"}])");
  EXPECT_EQ(doc["tables"].dump(),
            R"([{"columns":[{"name":"service","type":"STRING"},{"name":"count","type":"INT64"}],)"
            R"("data":[{"count":3,"service":"cart"}],"name":"summary","row_count":1}])");
  EXPECT_TRUE(doc["executed_at"].is_string());
  EXPECT_THAT(doc["duration"].get<std::string>(), ::testing::EndsWith("ms"));

  const auto ns = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                               "query", "import px", "--time-format", "ns"});
  EXPECT_EQ(nlohmann::json::parse(ns.out)["data"][0]["time_"], 1700000000123456789LL);
}

TEST_F(PixieCli, CompilerErrorsAreOneLineEach) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo(
      {"--config", config(fake.address(), "      disable_ssl: true\n"), "query", "compile_error"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "observo query: compile error: 3:14: name 'foo' is not defined\n"
            "compile error: 5:1: no table 'nope'\n");
}

TEST_F(PixieCli, AStreamFailingMidwayIsResentWithTheSameQueryId) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "query", "fail_midway", "--format", "csv"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, kCsv);
  const auto seen = fake.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].query_id, "");
  EXPECT_EQ(seen[1].query_id, "11111111-2222-3333-4444-100000000001");
}

TEST_F(PixieCli, ASlowQueryHitsItsDeadline) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo(
      {"--config", config(fake.address(), "      disable_ssl: true\n      query_timeout: 500ms\n"),
       "query", "slow"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "observo query: Vizier at " + fake.address() + " did not answer in time\n");
}

TEST_F(PixieCli, AMalformedBatchIsAnError) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "query", "bad_batch", "--format", "csv"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "observo query: column 'time_' of table 'http' has 2 values for num_rows 5\n");
}

TEST_F(PixieCli, BuiltinScriptWithSeedFlags) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  fake.set_script_rows("http_overview", http_overview_rows());
  const auto cfg = config(fake.address(), "      disable_ssl: true\n");
  const auto run =
      run_observo({"--config", cfg, "--builtin-script", "http_overview", "--script-params",
                   "start_time=-5m,namespace=default", "--format", "csv"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "errors,latency_avg_ms,latency_p50_ms,latency_p90_ms,latency_p99_ms,namespace,"
            "requests,service\n2,12.5,10,20,40.25,default,10,default/cart\n");
  const auto seen = fake.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].query_name, "observo_http_overview");
  EXPECT_THAT(seen[0].query, HasSubstr("px.DataFrame(table='http_events', start_time='-5m', "
                                       "end_time=px.now())"));
  EXPECT_THAT(seen[0].query, HasSubstr("\ndf = df[df.namespace == 'default']\n"));

  const auto unknown = run_observo(
      {"--config", cfg, "--builtin-script", "http_overview", "--script-params", "pod=x"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.err, StartsWith("observo: script http_overview has no parameter 'pod' "
                                      "(valid: start_time, end_time, namespace)\n"));
  const auto missing = run_observo({"--config", cfg, "scripts", "run", "pod_overview"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_THAT(missing.err, StartsWith("observo: script pod_overview needs parameter pod_name "
                                      "(valid: start_time, end_time, pod_name)\n"));
  const auto injection = run_observo({"--config", cfg, "--builtin-script", "http_overview",
                                      "--script-params", "namespace=a') or px.x('"});
  EXPECT_EQ(injection.code, 2);
  EXPECT_THAT(injection.err, HasSubstr("is not a Kubernetes name"));
  EXPECT_EQ(fake.seen().size(), 1u);
}

TEST_F(PixieCli, BuiltinScriptAsPrometheusUsesTheServerMapping) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  fake.set_script_rows("http_overview", http_overview_rows());
  const auto run = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "scripts", "run", "http_overview", "--format", "prometheus"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(
      run.out,
      "# HELP pixie_http_errors_total HTTP responses with status >= 400.\n"
      "# TYPE pixie_http_errors_total counter\n"
      "pixie_http_errors_total{cluster_id=\"local\",namespace=\"default\",service=\"cart\"} 2\n"
      "# HELP pixie_http_request_duration_milliseconds Mean HTTP request latency over the "
      "last window, in milliseconds.\n"
      "# TYPE pixie_http_request_duration_milliseconds gauge\n"
      "pixie_http_request_duration_milliseconds{cluster_id=\"local\",namespace=\"default\","
      "service=\"cart\"} 12.5\n"
      "# HELP pixie_http_request_duration_milliseconds_quantile HTTP request latency "
      "quantiles over the last window, in milliseconds.\n"
      "# TYPE pixie_http_request_duration_milliseconds_quantile gauge\n"
      "pixie_http_request_duration_milliseconds_quantile{cluster_id=\"local\",namespace="
      "\"default\",quantile=\"0.5\",service=\"cart\"} 10\n"
      "pixie_http_request_duration_milliseconds_quantile{cluster_id=\"local\",namespace="
      "\"default\",quantile=\"0.9\",service=\"cart\"} 20\n"
      "pixie_http_request_duration_milliseconds_quantile{cluster_id=\"local\",namespace="
      "\"default\",quantile=\"0.99\",service=\"cart\"} 40.25\n"
      "# HELP pixie_http_requests_total HTTP requests served.\n"
      "# TYPE pixie_http_requests_total counter\n"
      "pixie_http_requests_total{cluster_id=\"local\",namespace=\"default\",service=\"cart\"} "
      "10\n");
}

TEST_F(PixieCli, QueryAsPrometheusMapsNumericColumnsToGauges) {
  FakeVizier fake({});
  ASSERT_TRUE(fake.start());
  const auto run = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "query", "import px", "--format", "prometheus"});
  EXPECT_EQ(run.code, 0) << run.err;
  // Numeric columns of both tables become gauges, string and boolean columns labels; INT64
  // max is not exact as a float64 sample.
  EXPECT_EQ(
      run.out,
      "# HELP pixie_query_count Column count of script query.\n"
      "# TYPE pixie_query_count gauge\n"
      "pixie_query_count{cluster_id=\"local\",service=\"cart\"} 3\n"
      "# HELP pixie_query_latency Column latency of script query.\n"
      "# TYPE pixie_query_latency gauge\n"
      "pixie_query_latency{cluster_id=\"local\",ok=\"true\",service=\"cart,\\\"x\\\"\"} 1500000\n"
      "pixie_query_latency{cluster_id=\"local\",ok=\"false\",service=\"caf\xC3\xA9\\\\xFF\"} -3\n"
      "pixie_query_latency{cluster_id=\"local\",ok=\"true\",service=\"\"} 9223372036854775808\n"
      "# HELP pixie_query_ratio Column ratio of script query.\n"
      "# TYPE pixie_query_ratio gauge\n"
      "pixie_query_ratio{cluster_id=\"local\",ok=\"true\",service=\"cart,\\\"x\\\"\"} 0.25\n"
      "pixie_query_ratio{cluster_id=\"local\",ok=\"false\",service=\"caf\xC3\xA9\\\\xFF\"} NaN\n"
      "pixie_query_ratio{cluster_id=\"local\",ok=\"true\",service=\"\"} -0.5\n");
  const auto bad = run_observo({"--config", config(fake.address(), "      disable_ssl: true\n"),
                                "query", "import px", "--format", "xml"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.err, "observo: --format must be one of json, csv, prometheus, got 'xml'\n");
}

TEST_F(PixieCli, ScriptsAreListedAndDescribed) {
  const auto cfg = config("127.0.0.1:1", "      disable_ssl: true\n");
  const auto list = run_observo({"--config", cfg, "--list-scripts", "--output", "json"});
  EXPECT_EQ(list.code, 0) << list.err;
  std::vector<std::string> names;
  for (const auto& script : nlohmann::json::parse(list.out)) names.push_back(script["name"]);
  EXPECT_THAT(names, ::testing::ElementsAre("resource_usage", "http_overview", "network_stats",
                                            "pod_overview", "error_analysis", "service_latency"));
  const auto help = run_observo({"--config", cfg, "--script-help", "pod_overview"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("  pod_name (name, required): The pod, as namespace/pod\n"));
  const auto unknown = run_observo({"--config", cfg, "scripts", "help", "nope"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.err, StartsWith("observo: unknown script 'nope' (available: "));
}

}  // namespace
}  // namespace observo::testing

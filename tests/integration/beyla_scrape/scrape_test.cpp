// The Prometheus scrape client (otlp.scrape) against real servers on 127.0.0.1: a small Beast
// page server (plain, gzip, bearer token, HTTPS and mutual TLS with a test CA) and the real
// observo binary's own /metrics. Asserts what the Hub exposes after each scrape.
#include <gtest/gtest.h>

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "../pixie/run_observo.h"
#include "../support/test_certs.h"
#include "observo/metrics/encoder.h"
#include "observo/metrics/hub.h"
#include "page_server.h"
#include "sources/beyla/scraper.h"

namespace observo::beyla {
namespace {

using metrics::Labels;
using metrics::MetricType;
using testing::Page;
using testing::PageServer;

constexpr const char* kPage =
    "# HELP app_requests_total Requests served.\n"
    "# TYPE app_requests_total counter\n"
    "app_requests_total{job=\"beyla\",instance=\"node-1\",path=\"/a\\\"b\\\\c\\nd\"} 42\n"
    "app_requests_total{job=\"beyla\",instance=\"node-1\",path=\"/plain\"} 7\n"
    "# HELP app_latency_seconds Latency.\n"
    "# TYPE app_latency_seconds histogram\n"
    "app_latency_seconds_bucket{job=\"beyla\",le=\"0.1\"} 3\n"
    "app_latency_seconds_bucket{job=\"beyla\",le=\"1\"} 5\n"
    "app_latency_seconds_bucket{job=\"beyla\",le=\"+Inf\"} 6\n"
    "app_latency_seconds_sum{job=\"beyla\"} 2.5\n"
    "app_latency_seconds_count{job=\"beyla\"} 6\n";

struct Found {
  MetricType type = MetricType::kUntyped;
  std::string help;
  metrics::Series series;
};

// The series of `family` with exactly `labels` in what the Hub exposes now.
std::optional<Found> find_series(const metrics::Hub& hub, const std::string& family,
                                 const Labels& labels) {
  const auto exposition = hub.collect();
  for (const auto& view : exposition.families) {
    if (view.meta->name != family) continue;
    for (const auto* part : view.parts) {
      for (const auto& series : *part) {
        if (series.labels == labels) return Found{view.meta->type, view.meta->help, series};
      }
    }
  }
  return std::nullopt;
}

bool has_family(const metrics::Hub& hub, const std::string& family) {
  const auto exposition = hub.collect();
  for (const auto& view : exposition.families) {
    if (view.meta->name == family && view.series_count() > 0) return true;
  }
  return false;
}

// Polls (every 20 ms, at most 10 s) until `done` holds.
bool wait_until(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

double self_metric(const metrics::Hub& hub, const std::string& family, const std::string& target) {
  const auto found = find_series(hub, family, {{"target", target}});
  return found ? found->series.value : -1;
}

bool up_is(const metrics::Hub& hub, const std::string& target, double value) {
  return self_metric(hub, "observo_scrape_up", target) == value;
}

config::OtlpScrapeTarget target_for(const std::string& url, const std::string& name = "node") {
  config::OtlpScrapeTarget target;
  target.url = url;
  target.name = name;
  target.interval = std::chrono::milliseconds(50);
  target.timeout = std::chrono::milliseconds(3000);
  return target;
}

std::string local_url(std::uint16_t port, const std::string& scheme = "http",
                      const std::string& host = "127.0.0.1") {
  return scheme + "://" + host + ":" + std::to_string(port) + "/metrics";
}

void expect_page_series(const metrics::Hub& hub) {
  const auto escaped =
      find_series(hub, "app_requests_total",
                  {{"instance", "node-1"}, {"job", "beyla"}, {"path", "/a\"b\\c\nd"}});
  ASSERT_TRUE(escaped.has_value());
  EXPECT_EQ(escaped->type, MetricType::kCounter);
  EXPECT_EQ(escaped->help, "Requests served.");
  EXPECT_EQ(escaped->series.value, 42);
  const auto plain = find_series(hub, "app_requests_total",
                                 {{"instance", "node-1"}, {"job", "beyla"}, {"path", "/plain"}});
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->series.value, 7);
  const auto histogram = find_series(hub, "app_latency_seconds", {{"job", "beyla"}});
  ASSERT_TRUE(histogram.has_value());
  EXPECT_EQ(histogram->type, MetricType::kHistogram);
  ASSERT_EQ(histogram->series.buckets.size(), 2u);
  EXPECT_EQ(histogram->series.buckets[0].upper_bound, 0.1);
  EXPECT_EQ(histogram->series.buckets[0].cumulative_count, 3);
  EXPECT_EQ(histogram->series.buckets[1].upper_bound, 1);
  EXPECT_EQ(histogram->series.buckets[1].cumulative_count, 5);
  EXPECT_EQ(histogram->series.sum, 2.5);
  EXPECT_EQ(histogram->series.count, 6);
}

TEST(OtlpScrape, PublishesTheTargetsSeriesAndGoesStaleWhenItStops) {
  PageServer server;
  server.set_page({200, kPage});
  metrics::Hub hub;
  Scraper scraper(target_for(local_url(server.port())), hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "node", 1); }));
  expect_page_series(hub);
  EXPECT_EQ(self_metric(hub, "observo_scrape_samples", "node"), 3);
  EXPECT_GT(self_metric(hub, "observo_scrape_duration_seconds", "node"), 0);
  EXPECT_EQ(self_metric(hub, "observo_scrape_failures_total", "node"), 0);

  const auto headers = server.last_headers();
  EXPECT_EQ(headers.at("accept"),
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
  EXPECT_EQ(headers.at("accept-encoding"), "gzip");
  EXPECT_EQ(headers.count("authorization"), 0u);

  server.stop();
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "node", 0); }));
  EXPECT_FALSE(has_family(hub, "app_requests_total"));
  EXPECT_FALSE(has_family(hub, "app_latency_seconds"));
  EXPECT_GE(self_metric(hub, "observo_scrape_failures_total", "node"), 1);
  scraper.stop();
}

TEST(OtlpScrape, GzipPage) {
  PageServer server;
  server.set_page({200, metrics::gzip_compress(kPage), "text/plain; version=0.0.4", "gzip"});
  metrics::Hub hub;
  Scraper scraper(target_for(local_url(server.port())), hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "node", 1); }));
  expect_page_series(hub);
}

TEST(OtlpScrape, CorruptGzipFailsTheScrape) {
  PageServer server;
  server.set_page({200, "not gzip at all", "text/plain", "gzip"});
  metrics::Hub hub;
  Scraper scraper(target_for(local_url(server.port())), hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(
      wait_until([&] { return self_metric(hub, "observo_scrape_failures_total", "node") >= 1; }));
  EXPECT_TRUE(up_is(hub, "node", 0));
}

TEST(OtlpScrape, BearerTokenFromFileAndFromEnvironment) {
  PageServer server;
  server.set_page({200, kPage});
  testing::ScratchDir dir;
  metrics::Hub hub;
  auto with_file = target_for(local_url(server.port()), "file");
  with_file.bearer_token_file = dir.write("token", "s3cr3t\n");
  {
    Scraper scraper(with_file, hub);
    ASSERT_TRUE(scraper.start().ok());
    ASSERT_TRUE(wait_until([&] { return up_is(hub, "file", 1); }));
    EXPECT_EQ(server.last_headers().at("authorization"), "Bearer s3cr3t");
  }
  ::setenv("OBSERVO_SCRAPE_TEST_TOKEN", "from-env", 1);
  auto with_env = target_for(local_url(server.port()), "env");
  with_env.bearer_token_env = "OBSERVO_SCRAPE_TEST_TOKEN";
  Scraper scraper(with_env, hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "env", 1); }));
  EXPECT_EQ(server.last_headers().at("authorization"), "Bearer from-env");
  ::unsetenv("OBSERVO_SCRAPE_TEST_TOKEN");
}

TEST(OtlpScrape, HttpErrorsAndBadPagesFailThenRecover) {
  PageServer server;
  server.set_page({503, "busy"});
  metrics::Hub hub;
  Scraper scraper(target_for(local_url(server.port())), hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(
      wait_until([&] { return self_metric(hub, "observo_scrape_failures_total", "node") >= 1; }));
  EXPECT_TRUE(up_is(hub, "node", 0));
  server.set_page({200, "good 1\nbad{x=1} 2\n"});
  const double before = self_metric(hub, "observo_scrape_failures_total", "node");
  ASSERT_TRUE(wait_until(
      [&] { return self_metric(hub, "observo_scrape_failures_total", "node") >= before + 2; }));
  EXPECT_TRUE(up_is(hub, "node", 0));
  EXPECT_FALSE(has_family(hub, "good"));  // a bad line fails the whole page
  server.set_page({200, kPage});
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "node", 1); }));
  expect_page_series(hub);
}

TEST(OtlpScrape, NameDefaultsToHostAndPortAndStopIsPrompt) {
  PageServer server;
  server.set_page({200, kPage});
  metrics::Hub hub;
  auto target = target_for(local_url(server.port()), "");
  target.interval = std::chrono::hours(1);
  Scraper scraper(target, hub);
  ASSERT_TRUE(scraper.start().ok());
  const std::string name = "127.0.0.1:" + std::to_string(server.port());
  ASSERT_TRUE(wait_until([&] { return up_is(hub, name, 1); }));
  const auto before = std::chrono::steady_clock::now();
  scraper.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  EXPECT_FALSE(has_family(hub, "app_requests_total"));  // stop() withdraws the series
  scraper.stop();                                       // idempotent
}

TEST(OtlpScrape, StartErrorsNameTheTarget) {
  metrics::Hub hub;
  auto check = [&](config::OtlpScrapeTarget target, const std::string& expected) {
    Scraper scraper(std::move(target), hub);
    const auto started = scraper.start();
    ASSERT_FALSE(started.ok()) << expected;
    EXPECT_EQ(started.error(), expected);
  };
  check(target_for("ftp://127.0.0.1/metrics", "t1"),
        "otlp.scrape target 't1': unsupported scheme in ftp://127.0.0.1/metrics");
  check(target_for("http://127.0.0.1:99999/metrics", "t2"),
        "otlp.scrape target 't2': bad port '99999' in http://127.0.0.1:99999/metrics");
  check(target_for("http:///metrics", ""),
        "otlp.scrape target 'http:///metrics': no host in http:///metrics");
  auto missing_ca = target_for("https://127.0.0.1:9/metrics", "t3");
  missing_ca.ca_file = "/nonexistent/ca.pem";
  check(missing_ca,
        "otlp.scrape target 't3': cannot load CA file /nonexistent/ca.pem: No such file or "
        "directory");
  testing::ScratchDir dir;
  auto not_pem = target_for("https://127.0.0.1:9/metrics", "t3b");
  not_pem.ca_file = dir.write("ca.pem", "not a certificate\n");
  check(not_pem, "otlp.scrape target 't3b': cannot load CA file " + dir.path("ca.pem") +
                     ": no certificate or crl found");
  auto half_mtls = target_for("https://127.0.0.1:9/metrics", "t4");
  half_mtls.client_cert = "/nonexistent/client.crt";
  check(half_mtls, "otlp.scrape target 't4': client_cert and client_key go together");
  auto no_env = target_for("http://127.0.0.1:9/metrics", "t5");
  no_env.bearer_token_env = "OBSERVO_SCRAPE_TEST_UNSET_VARIABLE";
  check(no_env,
        "otlp.scrape target 't5': environment variable OBSERVO_SCRAPE_TEST_UNSET_VARIABLE is not "
        "set");
  auto no_file = target_for("http://127.0.0.1:9/metrics", "t6");
  no_file.bearer_token_file = "/nonexistent/token";
  check(no_file, "otlp.scrape target 't6': bearer_token_file: cannot read '/nonexistent/token': "
        "No such file or directory");
}

class OtlpScrapeTls : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    certs_ = testing::TestCerts::generate(&error);
    if (!certs_) GTEST_SKIP() << "no test certificates: " << error;
    tls_.use_certificate_chain_file(certs_->server_cert());
    tls_.use_private_key_file(certs_->server_key(), boost::asio::ssl::context::pem);
    tls_.load_verify_file(certs_->ca_cert());
    // Mutual TLS: the server insists on a client certificate signed by the CA.
    tls_.set_verify_mode(boost::asio::ssl::verify_peer |
                         boost::asio::ssl::verify_fail_if_no_peer_cert);
  }
  std::optional<testing::TestCerts> certs_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_server};
};

TEST_F(OtlpScrapeTls, HttpsWithTestCaAndClientCertificate) {
  PageServer server(&tls_);
  server.set_page({200, kPage});
  metrics::Hub hub;
  auto target = target_for(local_url(server.port(), "https", "localhost"));
  target.ca_file = certs_->ca_cert();
  target.client_cert = certs_->client_cert();
  target.client_key = certs_->client_key();
  Scraper scraper(target, hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "node", 1); }));
  expect_page_series(hub);
}

TEST_F(OtlpScrapeTls, UnverifiedServerOrMissingClientCertificateFails) {
  PageServer server(&tls_);
  server.set_page({200, kPage});
  metrics::Hub hub;
  // System roots do not know the test CA.
  auto untrusted = target_for(local_url(server.port(), "https", "localhost"), "untrusted");
  untrusted.client_cert = certs_->client_cert();
  untrusted.client_key = certs_->client_key();
  // The server wants a client certificate.
  auto anonymous = target_for(local_url(server.port(), "https", "localhost"), "anonymous");
  anonymous.ca_file = certs_->ca_cert();
  // skip_verify accepts the server without its CA.
  auto skipping = untrusted;
  skipping.name = "skipping";
  skipping.skip_verify = true;
  Scraper a(untrusted, hub), b(anonymous, hub), c(skipping, hub);
  ASSERT_TRUE(a.start().ok());
  ASSERT_TRUE(b.start().ok());
  ASSERT_TRUE(c.start().ok());
  ASSERT_TRUE(wait_until([&] {
    return self_metric(hub, "observo_scrape_failures_total", "untrusted") >= 1 &&
           self_metric(hub, "observo_scrape_failures_total", "anonymous") >= 1 &&
           up_is(hub, "skipping", 1);
  }));
  EXPECT_TRUE(up_is(hub, "untrusted", 0));
  EXPECT_TRUE(up_is(hub, "anonymous", 0));
}

TEST(OtlpScrape, ReexposesObservosOwnMetrics) {
  if (testing::observo_binary().empty()) GTEST_SKIP() << "observo binary not built";
  testing::ScratchDir dir;
  testing::ObservoServer observo(dir.write("observo.yaml", "metrics:\n  process_metrics: false\n"));
  ASSERT_TRUE(observo.started()) << observo.log();
  metrics::Hub hub;
  Scraper scraper(target_for(local_url(observo.port()), "self"), hub);
  ASSERT_TRUE(scraper.start().ok());
  ASSERT_TRUE(wait_until([&] { return up_is(hub, "self", 1); })) << observo.log();
  const auto up = find_series(hub, "observo_connector_up", {});
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->type, MetricType::kGauge);
  EXPECT_EQ(up->help, "1 while the observo daemon is running.");
  EXPECT_EQ(up->series.value, 1);
}

}  // namespace
}  // namespace observo::beyla

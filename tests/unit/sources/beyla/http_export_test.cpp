// handle_otlp_http without a socket: the routing and status codes of the OTLP/HTTP receiver
// over the real store, span metrics, authenticator and in-flight limiter.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "sources/beyla/http_receiver.h"
#include "sources/beyla/metric_store.h"
#include "sources/beyla/receiver_stats.h"
#include "sources/beyla/span_metrics.h"

namespace observo::beyla {
namespace {

namespace http = boost::beast::http;

class OtlpHttpHandler : public ::testing::Test {
 protected:
  OtlpHttpHandler()
      : store_(StoreOptions{}),
        spans_(SpanMetricsOptions{}),
        auth_(Authenticator::create(config::OtlpAuthConfig{},
                                    [](const std::string&) { return std::optional<std::string>(); })
                  .value()),
        inflight_(1),
        stats_(make_receiver_stats(registry_)),
        context_{store_, spans_, *auth_, inflight_, *stats_, 1024} {}

  HttpRequest post(const std::string& target, const std::string& content_type,
                   std::string body) const {
    HttpRequest request{http::verb::post, target, 11};
    request.set(http::field::content_type, content_type);
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
  }

  double counter(const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> have;
        for (const auto& pair : metric.label) have[pair.name] = pair.value;
        if (have == labels) return metric.counter.value;
      }
    }
    return -1;
  }

  prometheus::Registry registry_;
  MetricStore store_;
  SpanMetrics spans_;
  std::unique_ptr<Authenticator> auth_;
  InflightLimiter inflight_;
  std::unique_ptr<ReceiverStats> stats_;
  ReceiverContext context_;
};

TEST_F(OtlpHttpHandler, EmptyRequestIsAcceptedWithAnEmptyResponse) {
  auto response = handle_otlp_http(context_, post("/v1/metrics?x=1", "application/json", "{}"));
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response.body(), "{}");
  EXPECT_EQ(response[http::field::content_type], "application/json");
  response = handle_otlp_http(context_, post("/v1/traces", "application/x-protobuf", ""));
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response.body(), "");
  EXPECT_EQ(counter("observo_otlp_requests_total",
                    {{"transport", "http"}, {"signal", "metrics"}, {"outcome", "success"}}),
            1);
  EXPECT_EQ(counter("observo_otlp_requests_total",
                    {{"transport", "http"}, {"signal", "traces"}, {"outcome", "success"}}),
            1);
}

TEST_F(OtlpHttpHandler, OverTheInflightLimitIs429WithRetryAfter) {
  auto held = inflight_.try_acquire();
  ASSERT_TRUE(held.has_value());
  auto response = handle_otlp_http(context_, post("/v1/metrics", "application/json", "{}"));
  EXPECT_EQ(response.result(), http::status::too_many_requests);
  EXPECT_EQ(response[http::field::retry_after], "1");
  EXPECT_EQ(response.body(), R"({"code":8,"message":"too many concurrent export requests"})");
  EXPECT_EQ(counter("observo_otlp_requests_total",
                    {{"transport", "http"}, {"signal", "metrics"}, {"outcome", "busy"}}),
            1);
  held.reset();
  response = handle_otlp_http(context_, post("/v1/metrics", "application/json", "{}"));
  EXPECT_EQ(response.result(), http::status::ok);
}

TEST_F(OtlpHttpHandler, BodyOverTheLimitIs413) {
  const auto response = handle_otlp_http(
      context_, post("/v1/metrics", "application/x-protobuf", std::string(2000, '\0')));
  EXPECT_EQ(response.result(), http::status::payload_too_large);
  const auto early = too_large_response(context_, post("/v1/traces", "application/json", ""));
  EXPECT_EQ(early.result(), http::status::payload_too_large);
  EXPECT_FALSE(early.keep_alive());
  EXPECT_EQ(
      early.body(),
      R"x({"code":8,"message":"request body is larger than otlp.max_message_bytes (1024)"})x");
  EXPECT_EQ(counter("observo_otlp_requests_total",
                    {{"transport", "http"}, {"signal", "traces"}, {"outcome", "too_large"}}),
            1);
}

TEST_F(OtlpHttpHandler, UnknownPathAndMethod) {
  auto response = handle_otlp_http(context_, post("/v1/logs", "application/json", "{}"));
  EXPECT_EQ(response.result(), http::status::not_found);
  HttpRequest get{http::verb::get, "/v1/traces", 11};
  response = handle_otlp_http(context_, get);
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(response[http::field::allow], "POST");
}

}  // namespace
}  // namespace observo::beyla

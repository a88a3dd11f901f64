// OTLP/HTTP into the real observo binary: protobuf, JSON, gzip, the Unix socket, and every
// status code the receiver answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../support/test_client.h"
#include "otlp_daemon.h"

namespace observo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::map<std::string, std::string> kProtobuf = {{"Content-Type", "application/x-protobuf"}};
const std::map<std::string, std::string> kJson = {{"Content-Type", "application/json"}};

class OtlpReceiverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    if (observo_binary().empty()) GTEST_SKIP() << "the observo binary is not built";
  }
};

TEST_F(OtlpReceiverHttp, ProtobufExportAppearsOnMetrics) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto reply = http_post(daemon.http_port(), "/v1/metrics",
                               requests_metric().SerializeAsString(), kProtobuf);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.content_type, "application/x-protobuf");
  EXPECT_EQ(reply.body, "");  // an ExportMetricsServiceResponse without partial_success
  const auto body = daemon.wait_for(kRequestsLine);
  EXPECT_THAT(body, HasSubstr(kRequestsLine)) << daemon.log();
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"success\",signal=\"metrics\","
                              "transport=\"http\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_data_points_received_total{transport=\"http\"} 1\n"));
}

TEST_F(OtlpReceiverHttp, JsonExportAppearsOnMetrics) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto reply = http_post(daemon.http_port(), "/v1/metrics", requests_metric_json(),
                               {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, "{}");
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine)) << daemon.log();
}

TEST_F(OtlpReceiverHttp, GzipProtobufAndJson) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  auto headers = kProtobuf;
  headers["Content-Encoding"] = "gzip";
  auto reply = http_post(daemon.http_port(), "/v1/metrics",
                         gzip(requests_metric(3).SerializeAsString()), headers);
  EXPECT_EQ(reply.status, 200) << reply.body;
  const std::string three = requests_line(3);
  EXPECT_THAT(daemon.wait_for(three), HasSubstr(three));
  reply = http_post(daemon.http_port(), "/v1/metrics", gzip(requests_metric_json()),
                    {{"Content-Type", "application/json"}, {"Content-Encoding", "GZIP"}});
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverHttp, PartialSuccessInJson) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  auto json = requests_metric_json();
  const std::string unspecified =
      R"(,{"name":"unspecified","sum":{"isMonotonic":true,"dataPoints":[{"asInt":"1"}]}})";
  json.insert(json.find("]}]}]}"), unspecified);
  const auto reply = http_post(daemon.http_port(), "/v1/metrics", json, kJson);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body, R"({"partialSuccess":{"rejectedDataPoints":"1",)"
                        R"("errorMessage":"aggregation temporality unspecified"}})");
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverHttp, TracesBecomeSpanMetrics) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto reply =
      http_post(daemon.http_port(), "/v1/traces", server_span().SerializeAsString(), kProtobuf);
  EXPECT_EQ(reply.status, 200) << reply.body;
  const std::string line =
      "traces_span_metrics_calls_total{job=\"checkout\",service_name=\"checkout\","
      "span_kind=\"SPAN_KIND_SERVER\",span_name=\"GET /cart\",status_code=\"STATUS_CODE_UNSET\"} "
      "1\n";
  const auto body = daemon.wait_for(line);
  EXPECT_THAT(body, HasSubstr(line));
  EXPECT_THAT(body, HasSubstr("observo_otlp_spans_received_total{transport=\"http\"} 1\n"));
}

TEST_F(OtlpReceiverHttp, UnixSocketExport) {
  ScratchDir sockets;
  const auto path = sockets.path("otlp-http.sock");
  OtlpDaemon daemon("  http_unix_socket: \"" + path + "\"\n");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto reply =
      http_post(0, "/v1/metrics", requests_metric().SerializeAsString(), kProtobuf, "POST", path);
  EXPECT_EQ(reply.status, 200) << reply.body << daemon.log();
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverHttp, ExpectContinueGetsA100BeforeTheBody) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto body = requests_metric().SerializeAsString();
  TestClient client(daemon.http_port());
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(
      client.write_raw("POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/x-protobuf\r\nExpect: 100-continue\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n"));
  ClientResponse interim;
  ASSERT_FALSE(client.receive(interim));
  EXPECT_EQ(interim.result_int(), 100u);
  ASSERT_FALSE(client.write_raw(body));
  ClientResponse response;
  ASSERT_FALSE(client.receive(response));
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverHttp, StatusCodes) {
  OtlpDaemon daemon("  max_message_bytes: 16KiB\n");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto port = daemon.http_port();
  const auto good = requests_metric().SerializeAsString();

  auto reply = http_post(port, "/v1/logs", good, kProtobuf);
  EXPECT_EQ(reply.status, 404);
  reply = http_post(port, "/v1/metrics", "", {}, "GET");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.headers["allow"], "POST");
  EXPECT_EQ(reply.body, R"({"code":12,"message":"method not allowed: use POST"})");

  reply = http_post(port, "/v1/metrics", good, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(reply.status, 415);
  EXPECT_EQ(reply.body, R"x({"code":3,"message":"unsupported Content-Type \"text/plain\" )x"
                        R"x((application/x-protobuf or application/json)"})x");
  reply = http_post(port, "/v1/metrics", good,
                    {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "br"}});
  EXPECT_EQ(reply.status, 415);

  // Malformed protobuf: 400 with a protobuf google.rpc.Status {code 3, message}.
  reply = http_post(port, "/v1/metrics", std::string("\x0a\xff\xff\xff\x0f\x01", 6), kProtobuf);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.content_type, "application/x-protobuf");
  const std::string message = "body is not a valid ExportMetricsServiceRequest";
  EXPECT_EQ(reply.body,
            std::string("\x08\x03\x12", 3) + static_cast<char>(message.size()) + message);
  // Malformed JSON: 400 with a JSON status naming the problem.
  reply = http_post(port, "/v1/metrics", R"({"resourceMetrics": 7})", kJson);
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(reply.body, HasSubstr(R"({"code":3,"message":"invalid OTLP JSON: )"));
  // Corrupt gzip: 400.
  reply = http_post(port, "/v1/metrics", "not gzip at all",
                    {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(reply.status, 400);

  // Too large by Content-Length (answered before the body is read), and a gzip bomb.
  reply = http_post(port, "/v1/metrics", std::string(20 * 1024, 'x'), kProtobuf);
  EXPECT_EQ(reply.status, 413);
  reply = http_post(port, "/v1/metrics", gzip(std::string(10 * 1024 * 1024, '\0')),
                    {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}});
  EXPECT_EQ(reply.status, 413);
  EXPECT_THAT(reply.body, HasSubstr("expands to more than 16384 bytes"));

  // Nothing of the above was recorded, and the daemon is healthy.
  EXPECT_EQ(http_request(daemon.server_port(), "GET", "/health").status, 200);
  const auto body = daemon.metrics();
  EXPECT_THAT(body, Not(HasSubstr("\nrequests_total{")));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"invalid\",signal=\"metrics\","
                              "transport=\"http\"} 3\n"));
  EXPECT_THAT(body,
              HasSubstr("observo_otlp_requests_total{outcome=\"too_large\",signal=\"metrics\","
                        "transport=\"http\"} 2\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"unsupported_media_type\","
                              "signal=\"metrics\",transport=\"http\"} 2\n"));
}

}  // namespace
}  // namespace observo::testing

// OTLP/gRPC into the real observo binary: exports with the generated stubs (and raw bytes), then
// the exact lines on its /metrics.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "otlp_daemon.h"

namespace observo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class OtlpReceiverGrpc : public ::testing::Test {
 protected:
  void SetUp() override {
    if (observo_binary().empty()) GTEST_SKIP() << "the observo binary is not built";
  }
  static GrpcTarget tcp(const OtlpDaemon& daemon) {
    return {"127.0.0.1:" + std::to_string(daemon.grpc_port()), nullptr, "", false};
  }
};

TEST_F(OtlpReceiverGrpc, ExportedSumAppearsOnMetrics) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  otlp_metrics::ExportMetricsServiceResponse response;
  const auto call = export_metrics(tcp(daemon), requests_metric(), &response);
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_FALSE(response.has_partial_success());

  const auto body = daemon.wait_for(kRequestsLine);
  EXPECT_THAT(body, HasSubstr(kRequestsLine)) << daemon.log();
  EXPECT_THAT(body, HasSubstr("# TYPE requests_total counter\n"));
  EXPECT_THAT(body, HasSubstr("# HELP requests_total Requests served.\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"success\",signal=\"metrics\","
                              "transport=\"grpc\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_data_points_received_total{transport=\"grpc\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_data_points_rejected_total{transport=\"grpc\"} 0\n"));
  EXPECT_THAT(body, HasSubstr("observo_source_up{source=\"beyla\"} 1\n"));
}

TEST_F(OtlpReceiverGrpc, GzipCompressedRequestIsAccepted) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  auto target = tcp(daemon);
  target.gzip = true;
  const auto call = export_metrics(target, requests_metric(7));
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  const std::string line = requests_line(7);
  EXPECT_THAT(daemon.wait_for(line), HasSubstr(line));
}

TEST_F(OtlpReceiverGrpc, MalformedProtobufIsInvalidArgumentAndTheDaemonKeepsServing) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  // Field 1 (resource_metrics) announcing far more bytes than follow.
  const auto call = export_raw(tcp(daemon), std::string("\x0a\xff\xff\xff\x0f\x01", 6));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call.status.error_message(), "request is not a valid ExportMetricsServiceRequest");
  EXPECT_EQ(http_request(daemon.server_port(), "GET", "/health").status, 200);
  // Still receiving after the bad request.
  ASSERT_TRUE(export_metrics(tcp(daemon), requests_metric()).status.ok());
  const auto body = daemon.wait_for(kRequestsLine);
  EXPECT_THAT(body, HasSubstr(kRequestsLine));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"invalid\",signal=\"metrics\","
                              "transport=\"grpc\"} 1\n"));
}

TEST_F(OtlpReceiverGrpc, OversizedMessageIsResourceExhausted) {
  OtlpDaemon daemon("  max_message_bytes: 16KiB\n");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  auto request = requests_metric();
  auto* attribute = request.mutable_resource_metrics(0)->mutable_resource()->add_attributes();
  attribute->set_key("padding");
  attribute->mutable_value()->set_string_value(std::string(20 * 1024, 'x'));
  const auto call = export_metrics(tcp(daemon), request);
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // A request under the limit still goes through.
  ASSERT_TRUE(export_metrics(tcp(daemon), requests_metric()).status.ok());
  const auto body = daemon.wait_for(kRequestsLine);
  EXPECT_THAT(body, HasSubstr(kRequestsLine));
  EXPECT_THAT(body, Not(HasSubstr("padding")));
}

TEST_F(OtlpReceiverGrpc, RejectedPointIsReportedAsPartialSuccess) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  auto request = requests_metric();
  auto* bad = request.mutable_resource_metrics(0)->mutable_scope_metrics(0)->add_metrics();
  bad->set_name("unspecified");
  bad->mutable_sum()->set_is_monotonic(true);
  bad->mutable_sum()->add_data_points()->set_as_int(1);
  otlp_metrics::ExportMetricsServiceResponse response;
  const auto call = export_metrics(tcp(daemon), request, &response);
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  ASSERT_TRUE(response.has_partial_success());
  EXPECT_EQ(response.partial_success().rejected_data_points(), 1);
  EXPECT_EQ(response.partial_success().error_message(), "aggregation temporality unspecified");
  const auto body = daemon.wait_for(kRequestsLine);
  EXPECT_THAT(body, HasSubstr(kRequestsLine));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"partial\",signal=\"metrics\","
                              "transport=\"grpc\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_data_points_rejected_total{transport=\"grpc\"} 1\n"));
  EXPECT_THAT(body, Not(HasSubstr("unspecified_total")));
}

TEST_F(OtlpReceiverGrpc, UnixSocketExport) {
  ScratchDir sockets;
  const auto path = sockets.path("otlp-grpc.sock");
  OtlpDaemon daemon("  grpc_unix_socket: \"" + path + "\"\n");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto call = export_metrics({"unix:" + path, nullptr, "", false}, requests_metric());
  ASSERT_TRUE(call.status.ok()) << call.status.error_message() << daemon.log();
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverGrpc, ServerSpanBecomesSpanMetrics) {
  OtlpDaemon daemon;
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto call = export_traces(tcp(daemon), server_span());
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_EQ(call.response, "");  // no partial_success
  const std::string labels =
      "job=\"checkout\",service_name=\"checkout\",span_kind=\"SPAN_KIND_SERVER\","
      "span_name=\"GET /cart\",status_code=\"STATUS_CODE_UNSET\"";
  const auto body = daemon.wait_for("traces_span_metrics_calls_total{" + labels + "} 1\n");
  EXPECT_THAT(body, HasSubstr("traces_span_metrics_calls_total{" + labels + "} 1\n"));
  EXPECT_THAT(body, HasSubstr("traces_span_metrics_duration_seconds_sum{" + labels + "} 0.25\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_spans_received_total{transport=\"grpc\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"success\",signal=\"traces\","
                              "transport=\"grpc\"} 1\n"));
}

TEST_F(OtlpReceiverGrpc, PortInUseIsFatalAndNamesTheKey) {
  ScratchDir dir;
  // Hold a port with a first daemon, then ask a second one for the same port.
  OtlpDaemon first;
  ASSERT_TRUE(first.started()) << first.log();
  const auto config = dir.write(
      "observo.yaml",
      "otlp:\n  enabled: true\n  grpc_listen: \"127.0.0.1:" + std::to_string(first.grpc_port()) +
          "\"\n  http_listen: \"127.0.0.1:0\"\n");
  const auto run =
      run_observo({"server", "--config", config, "--listen-address", "127.0.0.1", "--port", "0"},
                  {}, std::chrono::seconds(20));
  EXPECT_NE(run.code, 0);
  EXPECT_THAT(run.out + run.err, HasSubstr("otlp.grpc_listen: cannot listen on 127.0.0.1:" +
                                           std::to_string(first.grpc_port())));
}

}  // namespace
}  // namespace observo::testing

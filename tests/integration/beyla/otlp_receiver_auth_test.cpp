// Who may send OTLP to the real observo binary: bearer tokens, HS256 JWTs, and mutual TLS.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_certs.h"
#include "../support/test_client.h"
#include "common/jwt.h"
#include "otlp_daemon.h"

namespace observo::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class OtlpReceiverAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    if (observo_binary().empty()) GTEST_SKIP() << "the observo binary is not built";
  }
  static GrpcTarget tcp(const OtlpDaemon& daemon, const std::string& authorization) {
    return {"127.0.0.1:" + std::to_string(daemon.grpc_port()), nullptr, authorization, false};
  }
};

TEST_F(OtlpReceiverAuth, WrongTokenIsRejectedAndRecordsNothing) {
  OtlpDaemon daemon("  auth:\n    mode: token\n    tokens_env: OTLP_TEST_TOKENS\n",
                    {{"OTLP_TEST_TOKENS", "good-token,other-token"}});
  ASSERT_TRUE(daemon.started()) << daemon.log();

  auto call = export_metrics(tcp(daemon, "Bearer wrong-token"), requests_metric());
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call.status.error_message(), "invalid bearer token");
  call = export_metrics(tcp(daemon, ""), requests_metric());
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call.status.error_message(), "missing bearer token");

  auto reply = http_post(
      daemon.http_port(), "/v1/metrics", requests_metric().SerializeAsString(),
      {{"Content-Type", "application/x-protobuf"}, {"Authorization", "Bearer wrong-token"}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.headers["www-authenticate"], "Bearer");
  reply = http_post(daemon.http_port(), "/v1/metrics", requests_metric_json(),
                    {{"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body, R"({"code":16,"message":"missing bearer token"})");

  auto body = daemon.metrics();
  EXPECT_THAT(body, Not(HasSubstr("\nrequests_total{")));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"unauthenticated\","
                              "signal=\"metrics\",transport=\"grpc\"} 2\n"));
  EXPECT_THAT(body, HasSubstr("observo_otlp_requests_total{outcome=\"unauthenticated\","
                              "signal=\"metrics\",transport=\"http\"} 2\n"));
  EXPECT_THAT(body, Not(HasSubstr("wrong-token")));
  EXPECT_THAT(daemon.log(), Not(HasSubstr("good-token")));

  call = export_metrics(tcp(daemon, "Bearer other-token"), requests_metric());
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverAuth, JwtGoodAndExpired) {
  ScratchDir dir;
  const auto key_file = dir.write("jwt.key", "jwt-test-key\n");
  OtlpDaemon daemon("  auth:\n    mode: jwt\n    jwt_key_file: \"" + key_file +
                    "\"\n    jwt_audience: otlp-receiver\n");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  const auto token = [](std::int64_t exp, const std::string& audience) {
    return "Bearer " + common::sign_hs256("jwt-test-key", R"({"alg":"HS256","typ":"JWT"})",
                                          nlohmann::json{{"aud", audience}, {"exp", exp}}.dump());
  };
  auto call =
      export_metrics(tcp(daemon, token(unix_now() - 3600, "otlp-receiver")), requests_metric());
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(call.status.error_message(), "token expired");
  call = export_metrics(tcp(daemon, token(unix_now() + 3600, "somebody-else")), requests_metric());
  EXPECT_EQ(call.status.error_message(), "token audience does not match");
  const auto reply =
      http_post(daemon.http_port(), "/v1/metrics", requests_metric().SerializeAsString(),
                {{"Content-Type", "application/x-protobuf"},
                 {"Authorization", token(unix_now() - 3600, "otlp-receiver")}});
  EXPECT_EQ(reply.status, 401);
  EXPECT_THAT(daemon.metrics(), Not(HasSubstr("\nrequests_total{")));

  call = export_metrics(tcp(daemon, token(unix_now() + 3600, "otlp-receiver")), requests_metric());
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_THAT(daemon.wait_for(kRequestsLine), HasSubstr(kRequestsLine));
}

TEST_F(OtlpReceiverAuth, MutualTlsNeedsAClientCertificate) {
  std::string error;
  auto certs = TestCerts::generate(&error);
  if (!certs) GTEST_SKIP() << error;
  OtlpDaemon daemon("  tls:\n    enabled: true\n    cert_file: \"" + certs->server_cert() +
                    "\"\n    key_file: \"" + certs->server_key() + "\"\n    client_ca_file: \"" +
                    certs->ca_cert() + "\"\n");
  ASSERT_TRUE(daemon.started()) << daemon.log();
  // An IP address (the test certificate has IP SAN 127.0.0.1): a name would go through
  // c-ares, whose resolver state gRPC 1.51 leaves allocated at exit.
  const auto address = "127.0.0.1:" + std::to_string(daemon.grpc_port());

  grpc::SslCredentialsOptions without;
  without.pem_root_certs = read_text(certs->ca_cert());
  auto call =
      export_metrics({address, grpc::SslCredentials(without), "", false}, requests_metric());
  EXPECT_FALSE(call.status.ok());
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAVAILABLE);

  // HTTP: the handshake fails without a certificate, so no response comes back.
  {
    TestClient client(daemon.http_port(), TlsClientOptions{certs->ca_cert(), "", ""});
    ClientRequest request{boost::beast::http::verb::post, "/v1/metrics", 11};
    request.set(boost::beast::http::field::host, "localhost");
    request.set(boost::beast::http::field::content_type, "application/x-protobuf");
    request.body() = requests_metric().SerializeAsString();
    request.prepare_payload();
    ClientResponse response;
    auto ec = client.connect();
    if (!ec) ec = client.request(request, response);
    EXPECT_TRUE(ec) << "a request without a client certificate was answered "
                    << response.result_int();
  }
  EXPECT_THAT(daemon.metrics(), Not(HasSubstr("\nrequests_total{")));

  grpc::SslCredentialsOptions with = without;
  with.pem_cert_chain = read_text(certs->client_cert());
  with.pem_private_key = read_text(certs->client_key());
  call = export_metrics({address, grpc::SslCredentials(with), "", false}, requests_metric());
  ASSERT_TRUE(call.status.ok()) << call.status.error_message();
  {
    TestClient client(daemon.http_port(), TlsClientOptions{certs->ca_cert(), certs->client_cert(),
                                                           certs->client_key()});
    ClientRequest request{boost::beast::http::verb::post, "/v1/metrics", 11};
    request.set(boost::beast::http::field::host, "localhost");
    request.set(boost::beast::http::field::content_type, "application/x-protobuf");
    request.body() = requests_metric(9).SerializeAsString();
    request.prepare_payload();
    ClientResponse response;
    ASSERT_FALSE(client.connect());
    ASSERT_FALSE(client.request(request, response));
    EXPECT_EQ(response.result_int(), 200u);
  }
  const std::string nine = requests_line(9);
  EXPECT_THAT(daemon.wait_for(nine), HasSubstr(nine));
}

TEST_F(OtlpReceiverAuth, TokenModeWithoutTokensIsFatal) {
  ScratchDir dir;
  const auto config = dir.write("observo.yaml",
                                "otlp:\n  enabled: true\n  grpc_listen: \"127.0.0.1:0\"\n"
                                "  http_listen: \"127.0.0.1:0\"\n  auth:\n    mode: token\n"
                                "    tokens_env: OTLP_UNSET_TOKENS\n");
  const auto run =
      run_observo({"server", "--config", config, "--listen-address", "127.0.0.1", "--port", "0"},
                  {}, std::chrono::seconds(20));
  EXPECT_NE(run.code, 0);
  EXPECT_THAT(run.out + run.err,
              HasSubstr("otlp.auth: mode token found no token in otlp.auth.tokens_file or "
                        "otlp.auth.tokens_env"));
}

}  // namespace
}  // namespace observo::testing

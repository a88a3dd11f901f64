// Authentication and TLS over real sockets: bearer and basic credentials, HTTPS verified
// against a CA generated for the test, and client-certificate (mTLS) enforcement.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "support/test_certs.h"
#include "support/test_client.h"
#include "support/test_server.h"

namespace observo::testing {
namespace {

namespace bhttp = boost::beast::http;
using Mode = config::AuthConfig::Mode;

std::string header(const ClientResponse& response, bhttp::field field) {
  return std::string(response[field]);
}

TEST(HttpAuth, BearerToken) {
  auto config = test_server_config();
  config.auth.mode = Mode::kBearer;
  config.auth.bearer_tokens = {"token-one", "token-two"};
  TestServer server(config);
  ASSERT_TRUE(server.start());

  const auto missing = get(server.port(), "/api/v1/sources");
  EXPECT_EQ(missing.result(), bhttp::status::unauthorized);
  EXPECT_EQ(header(missing, bhttp::field::www_authenticate), R"(Bearer realm="observo")");
  EXPECT_EQ(nlohmann::json::parse(missing.body())["code"], 401);

  const auto wrong =
      get(server.port(), "/api/v1/sources", {{bhttp::field::authorization, "Bearer token-six"}});
  EXPECT_EQ(wrong.result(), bhttp::status::forbidden);

  const auto right =
      get(server.port(), "/api/v1/metrics", {{bhttp::field::authorization, "Bearer token-two"}});
  EXPECT_EQ(right.result(), bhttp::status::ok);

  EXPECT_EQ(get(server.port(), "/metrics").result(), bhttp::status::ok);  // not protected
}

TEST(HttpAuth, BasicCredentials) {
  auto config = test_server_config();
  config.auth.mode = Mode::kBasic;
  config.auth.basic_username = "prom";
  config.auth.basic_password = "hunter2";
  TestServer server(config);
  ASSERT_TRUE(server.start());

  const auto missing = get(server.port(), "/api/v1/metrics");
  EXPECT_EQ(missing.result(), bhttp::status::unauthorized);
  EXPECT_EQ(header(missing, bhttp::field::www_authenticate).rfind("Basic ", 0), 0u);
  // prom:hunter2 and prom:hunter3
  EXPECT_EQ(get(server.port(), "/api/v1/metrics",
                {{bhttp::field::authorization, "Basic cHJvbTpodW50ZXIy"}})
                .result(),
            bhttp::status::ok);
  EXPECT_EQ(get(server.port(), "/api/v1/metrics",
                {{bhttp::field::authorization, "Basic cHJvbTpodW50ZXIz"}})
                .result(),
            bhttp::status::forbidden);
}

class HttpTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    certs_ = TestCerts::generate(&error);
    if (!certs_) GTEST_SKIP() << "cannot generate test certificates: " << error;
  }

  config::ServerConfig tls_config(bool require_client_cert) const {
    auto config = test_server_config();
    config.tls.enabled = true;
    config.tls.cert_file = certs_->server_cert();
    config.tls.key_file = certs_->server_key();
    if (require_client_cert) config.tls.client_ca_file = certs_->ca_cert();
    return config;
  }

  std::optional<TestCerts> certs_;
};

TEST_F(HttpTlsTest, HttpsVerifiedAgainstTheCa) {
  TestServer server(tls_config(false));
  ASSERT_TRUE(server.start());
  TlsClientOptions tls{certs_->ca_cert(), "", ""};
  boost::beast::error_code ec;
  const auto response = fetch(server.port(), make_request(bhttp::verb::get, "/health"), &ec, tls);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(nlohmann::json::parse(response.body())["status"], "ok");

  // Keep-alive over TLS.
  TestClient client(server.port(), tls);
  ASSERT_FALSE(client.connect());
  ClientResponse first;
  ClientResponse second;
  ASSERT_FALSE(client.request(make_request(bhttp::verb::get, "/metrics"), first));
  ASSERT_FALSE(client.request(make_request(bhttp::verb::head, "/metrics"), second));
  EXPECT_EQ(first.result(), bhttp::status::ok);
  EXPECT_EQ(second.result(), bhttp::status::ok);

  // A plain-HTTP client gets no HTTP answer from the TLS port.
  ec = {};
  const auto plain = fetch(server.port(), make_request(bhttp::verb::get, "/health"), &ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(plain.result_int(), 0u);
}

TEST_F(HttpTlsTest, MutualTlsAcceptsAClientCertificate) {
  TestServer server(tls_config(true));
  ASSERT_TRUE(server.start());
  TlsClientOptions tls{certs_->ca_cert(), certs_->client_cert(), certs_->client_key()};
  boost::beast::error_code ec;
  const auto response =
      fetch(server.port(), make_request(bhttp::verb::get, "/api/v1/sources"), &ec, tls);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(response.result(), bhttp::status::ok);
}

TEST_F(HttpTlsTest, MutualTlsRejectsAClientWithoutCertificate) {
  TestServer server(tls_config(true));
  ASSERT_TRUE(server.start());
  TlsClientOptions tls{certs_->ca_cert(), "", ""};
  boost::beast::error_code ec;
  const auto response = fetch(server.port(), make_request(bhttp::verb::get, "/health"), &ec, tls);
  // TLS 1.3 may finish the client's side of the handshake first; either way no answer comes.
  EXPECT_TRUE(ec);
  EXPECT_EQ(response.result_int(), 0u);
}

TEST_F(HttpTlsTest, UnreadableCertificateFailsStartWithTheFileName) {
  auto config = tls_config(false);
  config.tls.cert_file = certs_->path("missing.crt");
  TestServer server(config);
  const auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().find("missing.crt"), std::string::npos) << started.error();
  EXPECT_NE(started.error().find("cert_file"), std::string::npos) << started.error();

  auto mismatched = tls_config(false);
  mismatched.tls.key_file = certs_->client_key();
  TestServer other(mismatched);
  const auto second = other.start();
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("key_file"), std::string::npos) << second.error();
  EXPECT_NE(second.error().find("client.key"), std::string::npos) << second.error();
}

}  // namespace
}  // namespace observo::testing

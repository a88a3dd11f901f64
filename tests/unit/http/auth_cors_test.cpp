// Authentication and CORS through the router (no socket), and the auth helpers directly.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "http/auth.h"
#include "observo/http/router.h"

namespace observo::http {
namespace {

namespace bhttp = boost::beast::http;
using Mode = config::AuthConfig::Mode;

std::string header(const Response& response, bhttp::field field) {
  return std::string(response[field]);
}

class AuthCorsTest : public ::testing::Test {
 protected:
  Response send(bhttp::verb method, std::string target,
                const std::vector<std::pair<bhttp::field, std::string>>& headers = {}) {
    Request request{method, target, 11};
    for (const auto& [field, value] : headers) request.set(field, value);
    return route(context_, request);
  }
  Response get(std::string target,
               const std::vector<std::pair<bhttp::field, std::string>>& headers = {}) {
    return send(bhttp::verb::get, std::move(target), headers);
  }
  void use_bearer() {
    config_.server.auth.mode = Mode::kBearer;
    config_.server.auth.bearer_tokens = {"first-token", "second-token"};
  }
  void use_basic() {
    config_.server.auth.mode = Mode::kBasic;
    config_.server.auth.basic_username = "scraper";
    config_.server.auth.basic_password = "s3cret:with-colon";
  }

  config::Config config_;
  metrics::Hub hub_;
  SourceBoard sources_;
  AppContext context_{config_, hub_, sources_};
};

TEST_F(AuthCorsTest, BearerMissingOrMalformedIs401WithChallenge) {
  use_bearer();
  for (const std::string value : {"", "Bearer", "Bearer   ", "Basic Zm9vOmJhcg==", "Token x"}) {
    const auto response = get("/api/v1/sources", {{bhttp::field::authorization, value}});
    EXPECT_EQ(response.result(), bhttp::status::unauthorized) << value;
    EXPECT_EQ(header(response, bhttp::field::www_authenticate), R"(Bearer realm="observo")");
    EXPECT_EQ(nlohmann::json::parse(response.body())["code"], 401);
  }
  EXPECT_EQ(get("/api/v1/sources").result(), bhttp::status::unauthorized);
}

TEST_F(AuthCorsTest, BearerWrongTokenIs403AndRightTokenPasses) {
  use_bearer();
  const auto wrong = get("/api/v1/sources", {{bhttp::field::authorization, "Bearer first-tokem"}});
  EXPECT_EQ(wrong.result(), bhttp::status::forbidden);
  EXPECT_EQ(nlohmann::json::parse(wrong.body())["code"], 403);
  EXPECT_EQ(wrong.body().find("first"), std::string::npos);  // never echoes credentials
  EXPECT_EQ(get("/api/v1/sources", {{bhttp::field::authorization, "Bearer first-token"}}).result(),
            bhttp::status::ok);
  EXPECT_EQ(get("/api/v1/metrics", {{bhttp::field::authorization, "bearer second-token"}}).result(),
            bhttp::status::ok);
}

TEST_F(AuthCorsTest, UnprotectedPathsNeedNoCredentials) {
  use_bearer();
  EXPECT_EQ(get("/metrics").result(), bhttp::status::ok);
  EXPECT_EQ(get("/health").result(), bhttp::status::ok);
  config_.server.auth.protected_paths = {"/api/v1/", "/metrics"};
  EXPECT_EQ(get("/metrics").result(), bhttp::status::unauthorized);
}

TEST_F(AuthCorsTest, UnknownProtectedPathAsksForCredentialsBefore404) {
  use_bearer();
  EXPECT_EQ(get("/api/v1/nothing").result(), bhttp::status::unauthorized);
  EXPECT_EQ(get("/api/v1/nothing", {{bhttp::field::authorization, "Bearer first-token"}}).result(),
            bhttp::status::not_found);
}

TEST_F(AuthCorsTest, BasicCredentials) {
  use_basic();
  const auto missing = get("/api/v1/sources");
  EXPECT_EQ(missing.result(), bhttp::status::unauthorized);
  EXPECT_EQ(header(missing, bhttp::field::www_authenticate),
            R"(Basic realm="observo", charset="UTF-8")");
  // scraper:s3cret:with-colon
  EXPECT_EQ(get("/api/v1/sources",
                {{bhttp::field::authorization, "Basic c2NyYXBlcjpzM2NyZXQ6d2l0aC1jb2xvbg=="}})
                .result(),
            bhttp::status::ok);
  // scraper:wrong
  EXPECT_EQ(get("/api/v1/sources", {{bhttp::field::authorization, "Basic c2NyYXBlcjp3cm9uZw=="}})
                .result(),
            bhttp::status::forbidden);
  // not base64, and base64 without a colon
  EXPECT_EQ(get("/api/v1/sources", {{bhttp::field::authorization, "Basic !!!"}}).result(),
            bhttp::status::unauthorized);
  EXPECT_EQ(get("/api/v1/sources", {{bhttp::field::authorization, "Basic c2NyYXBlcg=="}}).result(),
            bhttp::status::unauthorized);
}

TEST_F(AuthCorsTest, OptionsPreflightSkipsAuth) {
  use_bearer();
  config_.server.cors.enabled = true;
  const auto response = send(bhttp::verb::options, "/api/v1/sources",
                             {{bhttp::field::origin, "https://grafana.example"},
                              {bhttp::field::access_control_request_method, "GET"},
                              {bhttp::field::access_control_request_headers, "authorization"}});
  EXPECT_EQ(response.result(), bhttp::status::no_content);
  EXPECT_EQ(header(response, bhttp::field::access_control_allow_origin), "*");
  EXPECT_EQ(header(response, bhttp::field::access_control_allow_methods), "GET, HEAD, OPTIONS");
  EXPECT_NE(header(response, bhttp::field::access_control_allow_headers).find("Authorization"),
            std::string::npos);
}

TEST_F(AuthCorsTest, CorsOffSendsNoCorsHeaders) {
  const auto response = get("/health", {{bhttp::field::origin, "https://grafana.example"}});
  EXPECT_TRUE(header(response, bhttp::field::access_control_allow_origin).empty());
}

TEST_F(AuthCorsTest, CorsAllowListEchoesAllowedOriginsOnly) {
  config_.server.cors.enabled = true;
  config_.server.cors.allowed_origins = {"https://a.example", "https://b.example"};
  const auto allowed = get("/metrics", {{bhttp::field::origin, "https://b.example"}});
  EXPECT_EQ(header(allowed, bhttp::field::access_control_allow_origin), "https://b.example");
  EXPECT_NE(header(allowed, bhttp::field::vary).find("Origin"), std::string::npos);
  EXPECT_NE(header(allowed, bhttp::field::vary).find("Accept-Encoding"), std::string::npos);

  const auto other = get("/metrics", {{bhttp::field::origin, "https://evil.example"}});
  EXPECT_TRUE(header(other, bhttp::field::access_control_allow_origin).empty());
  const auto preflight = send(bhttp::verb::options, "/metrics",
                              {{bhttp::field::origin, "https://evil.example"},
                               {bhttp::field::access_control_request_method, "GET"}});
  EXPECT_EQ(preflight.result(), bhttp::status::no_content);
  EXPECT_TRUE(header(preflight, bhttp::field::access_control_allow_methods).empty());
}

TEST_F(AuthCorsTest, CorsHeadersAlsoOnErrors) {
  config_.server.cors.enabled = true;
  const auto response = get("/nope", {{bhttp::field::origin, "https://a.example"}});
  EXPECT_EQ(response.result(), bhttp::status::not_found);
  EXPECT_EQ(header(response, bhttp::field::access_control_allow_origin), "*");
}

TEST(Auth, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_FALSE(constant_time_equal("", "a"));
}

TEST(Auth, DecodeBase64) {
  EXPECT_EQ(decode_base64("Zm9vOmJhcg=="), "foo:bar");
  EXPECT_EQ(decode_base64("Zm9vOmJhcg"), "foo:bar");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_FALSE(decode_base64("Zm9v*mJhcg=="));
  EXPECT_FALSE(decode_base64("Z"));
}

TEST(Auth, EmptyConfiguredSecretsNeverMatch) {
  config::AuthConfig auth;
  auth.mode = Mode::kBearer;
  auth.bearer_tokens = {""};
  EXPECT_EQ(authenticate(auth, "Bearer x"), AuthOutcome::kDenied);
  auth.mode = Mode::kBasic;
  EXPECT_EQ(authenticate(auth, "Basic Og=="), AuthOutcome::kDenied);  // ":"
}

}  // namespace
}  // namespace observo::http

// otlp.auth: the token and jwt modes of the OTLP receivers' Authenticator, and the claim checks
// with an explicit clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/jwt.h"
#include "sources/beyla/auth_jwt.h"
#include "sources/beyla/receiver.h"

namespace observo::beyla {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;
const std::string kKey = "otlp-test-key";

Authenticator::EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    path_ = (std::filesystem::temp_directory_path() /
             ("otlp_auth_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++)))
                .string();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

std::string jwt(const nlohmann::json& claims, const std::string& key = kKey,
                const std::string& alg = "HS256") {
  return common::sign_hs256(key, nlohmann::json{{"alg", alg}, {"typ", "JWT"}}.dump(),
                            claims.dump());
}

config::OtlpAuthConfig jwt_config() {
  config::OtlpAuthConfig config;
  config.mode = "jwt";
  config.jwt_key_env = "OTLP_KEY";
  return config;  // jwt_audience "observo" by default
}

TEST(OtlpAuthNone, AcceptsEverything) {
  config::OtlpAuthConfig config;
  auto auth = Authenticator::create(config, env_of({}));
  ASSERT_TRUE(auth.ok()) << auth.error();
  EXPECT_EQ((*auth)->check(""), std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer anything"), std::nullopt);
}

TEST(OtlpAuthMode, UnknownModeIsAnErrorNamingTheKey) {
  config::OtlpAuthConfig config;
  config.mode = "basic";
  auto auth = Authenticator::create(config, env_of({}));
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.error(), "otlp.auth.mode: unknown mode \"basic\" (none, token, jwt)");
}

TEST(OtlpAuthToken, TokensFromFileSkipBlankAndCommentLines) {
  TempFile file("# senders\n\n  alpha-token  \nbeta-token\r\n#gamma\n");
  config::OtlpAuthConfig config;
  config.mode = "token";
  config.tokens_file = file.path();
  auto auth = Authenticator::create(config, env_of({}));
  ASSERT_TRUE(auth.ok()) << auth.error();
  EXPECT_EQ((*auth)->check("Bearer alpha-token"), std::nullopt);
  EXPECT_EQ((*auth)->check("bearer beta-token"), std::nullopt);
  EXPECT_EQ((*auth)->check("BEARER beta-token"), std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer #gamma"), "invalid bearer token");
  EXPECT_EQ((*auth)->check("Bearer gamma"), "invalid bearer token");
  EXPECT_EQ((*auth)->check("Bearer alpha-tokenx"), "invalid bearer token");
  EXPECT_EQ((*auth)->check("Bearer "), "missing bearer token");
  EXPECT_EQ((*auth)->check(""), "missing bearer token");
  EXPECT_EQ((*auth)->check("Basic YWxwaGEtdG9rZW4="), "authorization is not Bearer");
  EXPECT_EQ((*auth)->check("alpha-token"), "authorization is not Bearer");
  EXPECT_EQ((*auth)->check("Beareralpha-token"), "authorization is not Bearer");
}

TEST(OtlpAuthToken, TokensFromEnvironmentAreCommaSeparated) {
  config::OtlpAuthConfig config;
  config.mode = "token";
  config.tokens_env = "OTLP_TOKENS";
  auto auth = Authenticator::create(config, env_of({{"OTLP_TOKENS", "one, two ,,three"}}));
  ASSERT_TRUE(auth.ok()) << auth.error();
  EXPECT_EQ((*auth)->check("Bearer one"), std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer two"), std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer three"), std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer one, two"), "invalid bearer token");
}

TEST(OtlpAuthToken, FileAndEnvironmentTogether) {
  TempFile file("from-file\n");
  config::OtlpAuthConfig config;
  config.mode = "token";
  config.tokens_file = file.path();
  config.tokens_env = "OTLP_TOKENS";
  auto auth = Authenticator::create(config, env_of({{"OTLP_TOKENS", "from-env"}}));
  ASSERT_TRUE(auth.ok()) << auth.error();
  EXPECT_EQ((*auth)->check("Bearer from-file"), std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer from-env"), std::nullopt);
}

TEST(OtlpAuthToken, NoTokenFoundIsAnErrorNamingTheKeys) {
  TempFile file("# nothing but comments\n\n");
  config::OtlpAuthConfig config;
  config.mode = "token";
  config.tokens_file = file.path();
  config.tokens_env = "UNSET_VARIABLE";
  auto auth = Authenticator::create(config, env_of({}));
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.error(),
            "otlp.auth: mode token found no token in otlp.auth.tokens_file or "
            "otlp.auth.tokens_env");
}

TEST(OtlpAuthToken, UnreadableFileIsAnErrorNamingTheKey) {
  config::OtlpAuthConfig config;
  config.mode = "token";
  config.tokens_file = "/nonexistent/otlp/tokens";
  auto auth = Authenticator::create(config, env_of({}));
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.error(),
            "otlp.auth.tokens_file: cannot read '/nonexistent/otlp/tokens': No such file or "
            "directory");
}

TEST(OtlpAuthJwt, KeyFileLosesTrailingNewlines) {
  TempFile file(kKey + "\n\n");
  auto config = jwt_config();
  config.jwt_key_env.clear();
  config.jwt_key_file = file.path();
  auto auth = Authenticator::create(config, env_of({}));
  ASSERT_TRUE(auth.ok()) << auth.error();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_EQ((*auth)->check("Bearer " + jwt({{"aud", "observo"}, {"exp", now + 600}})),
            std::nullopt);
  EXPECT_EQ((*auth)->check("Bearer " + jwt({{"aud", "observo"}, {"exp", now - 600}})),
            "token expired");
}

TEST(OtlpAuthJwt, MissingKeyIsAnErrorNamingTheKeys) {
  auto auth = Authenticator::create(jwt_config(), env_of({}));
  ASSERT_FALSE(auth.ok());
  EXPECT_EQ(auth.error(),
            "otlp.auth: mode jwt found no key in otlp.auth.jwt_key_file or otlp.auth.jwt_key_env");
}

TEST(OtlpAuthJwt, ChecksBearerThroughTheAuthenticator) {
  auto auth = Authenticator::create(jwt_config(), env_of({{"OTLP_KEY", kKey}}));
  ASSERT_TRUE(auth.ok()) << auth.error();
  EXPECT_EQ((*auth)->check(""), "missing bearer token");
  EXPECT_EQ((*auth)->check("Token abc"), "authorization is not Bearer");
  EXPECT_EQ((*auth)->check("Bearer not-a-jwt"), "malformed token");
}

TEST(OtlpAuthJwt, GoodTokenIsAccepted) {
  const auto token = jwt({{"aud", "observo"}, {"exp", kNow + 60}, {"sub", "beyla"}});
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow), std::nullopt);
}

TEST(OtlpAuthJwt, WrongKeyOrTamperedClaimsFailTheSignature) {
  const auto token = jwt({{"aud", "observo"}, {"exp", kNow + 60}}, "another-key");
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow), "invalid token signature");
  const auto good = jwt({{"aud", "observo"}, {"exp", kNow + 60}});
  const auto dot1 = good.find('.');
  const auto dot2 = good.find('.', dot1 + 1);
  const auto forged = good.substr(0, dot1 + 1) +
                      common::base64url_encode(R"({"aud":"observo","exp":9999999999})") +
                      good.substr(dot2);
  EXPECT_EQ(check_jwt(forged, kKey, jwt_config(), kNow), "invalid token signature");
}

TEST(OtlpAuthJwt, AlgorithmNoneAndOthersAreRefused) {
  const nlohmann::json claims = {{"aud", "observo"}, {"exp", kNow + 60}};
  const auto unsigned_token = common::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                              common::base64url_encode(claims.dump()) + ".";
  EXPECT_EQ(check_jwt(unsigned_token, kKey, jwt_config(), kNow), "invalid token signature");
  // Signed correctly with the key, but declaring another algorithm.
  EXPECT_EQ(check_jwt(jwt(claims, kKey, "none"), kKey, jwt_config(), kNow),
            "token algorithm is not HS256");
  EXPECT_EQ(check_jwt(jwt(claims, kKey, "HS512"), kKey, jwt_config(), kNow),
            "token algorithm is not HS256");
}

TEST(OtlpAuthJwt, ExpiryIsRequiredAndHasThirtySecondsLeeway) {
  EXPECT_EQ(check_jwt(jwt({{"aud", "observo"}}), kKey, jwt_config(), kNow),
            "token has no exp claim");
  EXPECT_EQ(check_jwt(jwt({{"aud", "observo"}, {"exp", "soon"}}), kKey, jwt_config(), kNow),
            "token has no exp claim");
  const auto token = jwt({{"aud", "observo"}, {"exp", kNow}});
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow + 29), std::nullopt);
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow + 30), "token expired");
}

TEST(OtlpAuthJwt, NotBeforeIsHonouredWithLeeway) {
  const auto token = jwt({{"aud", "observo"}, {"exp", kNow + 600}, {"nbf", kNow + 100}});
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow), "token not yet valid");
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow + 69), "token not yet valid");
  EXPECT_EQ(check_jwt(token, kKey, jwt_config(), kNow + 70), std::nullopt);
}

TEST(OtlpAuthJwt, AudienceAsStringOrArray) {
  const auto config = jwt_config();
  EXPECT_EQ(check_jwt(jwt({{"aud", "other"}, {"exp", kNow + 60}}), kKey, config, kNow),
            "token audience does not match");
  EXPECT_EQ(check_jwt(jwt({{"exp", kNow + 60}}), kKey, config, kNow),
            "token audience does not match");
  EXPECT_EQ(check_jwt(jwt({{"aud", {"a", "observo"}}, {"exp", kNow + 60}}), kKey, config, kNow),
            std::nullopt);
  EXPECT_EQ(check_jwt(jwt({{"aud", {"a", "b"}}, {"exp", kNow + 60}}), kKey, config, kNow),
            "token audience does not match");
  auto any_audience = config;
  any_audience.jwt_audience.clear();
  EXPECT_EQ(check_jwt(jwt({{"exp", kNow + 60}}), kKey, any_audience, kNow), std::nullopt);
}

TEST(OtlpAuthJwt, IssuerWhenConfigured) {
  auto config = jwt_config();
  config.jwt_issuer = "https://issuer.example";
  const nlohmann::json base = {{"aud", "observo"}, {"exp", kNow + 60}};
  auto good = base;
  good["iss"] = "https://issuer.example";
  auto bad = base;
  bad["iss"] = "https://elsewhere.example";
  EXPECT_EQ(check_jwt(jwt(good), kKey, config, kNow), std::nullopt);
  EXPECT_EQ(check_jwt(jwt(bad), kKey, config, kNow), "token issuer does not match");
  EXPECT_EQ(check_jwt(jwt(base), kKey, config, kNow), "token issuer does not match");
}

TEST(OtlpAuthJwt, Base64urlRoundTrip) {
  EXPECT_EQ(common::base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(common::base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_EQ(common::base64url_decode("abc="), std::nullopt);
  EXPECT_EQ(common::base64url_decode("a"), std::nullopt);
  EXPECT_EQ(common::base64url_encode("hello world"), "aGVsbG8gd29ybGQ");
  EXPECT_EQ(common::base64url_decode("aGVsbG8gd29ybGQ"), std::string("hello world"));
}

}  // namespace
}  // namespace observo::beyla

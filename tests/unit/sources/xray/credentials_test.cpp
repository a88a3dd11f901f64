// The credential chain's order and the parts that need no network (environment, shared files
// and profiles, expirations, refresh), plus the API error classification. STS, the container
// endpoint and the real requests are covered by tests/e2e/xray_api_poller.sh.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "sources/xray/api_client.h"
#include "sources/xray/credentials.h"

namespace observo::xray {
namespace {

Env fake_env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string write_temp(const std::string& text) {
  char path[] = "/tmp/observo-xray-cred.XXXXXX";
  const int fd = ::mkstemp(path);
  ::close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(Credentials, EnvironmentComesFirst) {
  const auto files = write_temp("[default]\naws_access_key_id = FILE\naws_secret_access_key = s\n");
  CredentialsProvider provider({}, fake_env({{"AWS_ACCESS_KEY_ID", "ENV"},
                                             {"AWS_SECRET_ACCESS_KEY", "secret"},
                                             {"AWS_SESSION_TOKEN", "token"},
                                             {"AWS_SHARED_CREDENTIALS_FILE", files}}));
  const auto credentials = provider.get();
  ASSERT_TRUE(credentials.ok()) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "ENV");
  EXPECT_EQ(credentials->session_token, "token");
  EXPECT_EQ(credentials->provider, "environment");
  std::remove(files.c_str());
}

TEST(Credentials, SharedFilesWithProfiles) {
  const auto credentials_file = write_temp(
      "# comment\n[default]\naws_access_key_id = DEF\naws_secret_access_key = d\n\n"
      "[prod]\n aws_access_key_id = PROD \naws_secret_access_key=p\naws_session_token = t\n");
  const auto config_file = write_temp(
      "[default]\nregion = eu-west-1\n[profile prod]\nregion = us-west-2\n"
      "[profile cfg]\naws_access_key_id = CFG\naws_secret_access_key = c\n");
  const auto env = fake_env({{"AWS_SHARED_CREDENTIALS_FILE", credentials_file},
                             {"AWS_CONFIG_FILE", config_file},
                             {"AWS_PROFILE", "prod"}});
  CredentialsProvider from_env_profile({}, env);
  EXPECT_EQ(from_env_profile.get()->access_key_id, "PROD");
  EXPECT_EQ(from_env_profile.get()->session_token, "t");
  CredentialOptions flag;
  flag.profile = "cfg";  // --profile wins over AWS_PROFILE; keys in the config file count too
  CredentialsProvider from_flag(flag, env);
  EXPECT_EQ(from_flag.get()->access_key_id, "CFG");
  EXPECT_EQ(profile_region(env, ""), "us-west-2");
  EXPECT_EQ(profile_region(env, "default"), "eu-west-1");
  EXPECT_EQ(profile_region(env, "missing"), "");
  std::remove(credentials_file.c_str());
  std::remove(config_file.c_str());
}

TEST(Credentials, NothingConfiguredIsAnErrorWithoutSecrets) {
  CredentialsProvider provider({}, fake_env({{"HOME", "/nonexistent"}}));
  const auto credentials = provider.get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.error().find("no AWS credentials"), std::string::npos);
}

TEST(Credentials, WebIdentityReportsAnUnreadableTokenFile) {
  CredentialsProvider provider({}, fake_env({{"HOME", "/nonexistent"},
                                             {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                                             {"AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/t"}}));
  const auto credentials = provider.get();
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.error().find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos);
}

TEST(Credentials, ExpirationFormats) {
  using std::chrono::system_clock;
  const auto iso = parse_expiration("2026-11-21T08:00:00Z");
  ASSERT_TRUE(iso.has_value());
  EXPECT_EQ(system_clock::to_time_t(*iso), 1795248000);
  EXPECT_EQ(system_clock::to_time_t(*parse_expiration("2026-11-21T08:00:00.123+00:00")),
            1795248000);
  EXPECT_EQ(system_clock::to_time_t(*parse_expiration("1795248000")), 1795248000);
  EXPECT_FALSE(parse_expiration("tomorrow").has_value());
}

TEST(ApiErrors, CodeFromHeaderOrBodyAndThrottling) {
  HttpResponse header;
  header.status = 400;
  header.headers = {{"X-Amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/"}};
  EXPECT_EQ(error_code(header), "ThrottlingException");
  HttpResponse body;
  body.status = 400;
  body.body = R"({"__type":"com.amazonaws.xray#InvalidRequestException","message":"x"})";
  EXPECT_EQ(error_code(body), "InvalidRequestException");
  EXPECT_TRUE(is_throttling(400, "ThrottledException"));
  EXPECT_TRUE(is_throttling(400, "ThrottlingException"));
  EXPECT_TRUE(is_throttling(429, ""));
  EXPECT_FALSE(is_throttling(400, "InvalidRequestException"));
}

TEST(HttpUrl, ParsesHostsPortsAndTargets) {
  const auto a = parse_url("https://xray.us-east-1.amazonaws.com");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->target, "/");
  EXPECT_EQ(a->host_header(), "xray.us-east-1.amazonaws.com");
  const auto b = parse_url("http://127.0.0.1:8080/creds?x=1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host_header(), "127.0.0.1:8080");
  EXPECT_EQ(b->target, "/creds?x=1");
  const auto c = parse_url("http://[fd00:ec2::23]/v1/credentials");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "fd00:ec2::23");
  EXPECT_EQ(c->host_header(), "[fd00:ec2::23]");
  EXPECT_FALSE(parse_url("ftp://x").ok());
  EXPECT_FALSE(parse_url("no-scheme").ok());
}

}  // namespace
}  // namespace observo::xray

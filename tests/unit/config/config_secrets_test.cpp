// Secrets: bearer tokens and the basic-auth password come from files or named environment
// variables, never from the command line, and never show up in errors or rendered output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "observo/config/loader.h"

namespace observo::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::load_text;
using ::testing::Not;
using testing::TempDir;

constexpr const char* kToken = "tok-9f8e7d6c5b4a";
constexpr const char* kPassword = "pw-correct-horse-battery";

std::string error_of(const Result<Config>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string("<loaded fine>") : result.error();
}

TEST(ConfigSecrets, BearerTokensFromFileSkipCommentsAndBlankLines) {
  TempDir dir;
  dir.write("secrets/tokens",
            "# deploy tokens\n\n" + std::string(kToken) + "\n  second-token \r\n");
  const auto result = load_text(
      dir, "server:\n  auth:\n    mode: bearer\n    bearer_tokens_file: secrets/tokens\n");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_THAT(result->server.auth.bearer_tokens, ElementsAre(kToken, "second-token"));
  EXPECT_EQ(result->server.auth.bearer_tokens_file, (dir.path() / "secrets/tokens").string());
}

TEST(ConfigSecrets, BearerTokensFromNamedEnvironmentVariable) {
  TempDir dir;
  const auto result =
      load_text(dir, "server:\n  auth:\n    mode: bearer\n    bearer_tokens_env: API_TOKENS\n",
                {{"API_TOKENS", std::string(kToken) + ", other-token,"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_THAT(result->server.auth.bearer_tokens, ElementsAre(kToken, "other-token"));
}

TEST(ConfigSecrets, BearerTokensFromFileAndEnvironmentTogether) {
  TempDir dir;
  dir.write("tokens", "from-file\nshared\n");
  const auto result =
      load_text(dir,
                "server:\n  auth:\n    mode: bearer\n    bearer_tokens_file: tokens\n"
                "    bearer_tokens_env: API_TOKENS\n",
                {{"API_TOKENS", "shared,from-env"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_THAT(result->server.auth.bearer_tokens, ElementsAre("from-file", "shared", "from-env"));
}

TEST(ConfigSecrets, SecretBearingKeysMayComeFromTheEnvironment) {
  TempDir dir;
  const auto tokens = dir.write("tokens", std::string(kToken) + "\n");
  const auto result = load_text(
      dir, "",
      {{"OBSERVO_SERVER_AUTH_MODE", "bearer"}, {"OBSERVO_SERVER_AUTH_BEARER_TOKENS_FILE", tokens}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_THAT(result->server.auth.bearer_tokens, ElementsAre(kToken));
}

TEST(ConfigSecrets, BearerModeWithoutTokensFails) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  auth:\n    mode: bearer\n")),
              HasSubstr("config.yaml:3: server.auth.mode: bearer mode needs tokens: set "
                        "server.auth.bearer_tokens_file or server.auth.bearer_tokens_env"));
  dir.write("empty", "# no tokens yet\n\n");
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  auth:\n    mode: bearer\n"
                                 "    bearer_tokens_file: empty\n")),
              HasSubstr("server.auth.mode: bearer mode found no tokens"));
}

TEST(ConfigSecrets, MissingSecretFileNamesKeyAndPath) {
  TempDir dir;
  const auto missing = (dir.path() / "nope/tokens").string();
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  auth:\n    mode: bearer\n"
                                 "    bearer_tokens_file: nope/tokens\n")),
              HasSubstr("config.yaml:4: server.auth.bearer_tokens_file: cannot read '" + missing +
                        "': No such file or directory"));
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  auth:\n    mode: basic\n"
                                 "    basic_username: u\n    basic_password_file: pw\n")),
              HasSubstr("config.yaml:5: server.auth.basic_password_file: cannot read '" +
                        (dir.path() / "pw").string() + "'"));
}

TEST(ConfigSecrets, NamedVariableMustBeSet) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  auth:\n    mode: bearer\n"
                                 "    bearer_tokens_env: API_TOKENS\n")),
              HasSubstr("config.yaml:4: server.auth.bearer_tokens_env: environment variable "
                        "API_TOKENS is not set"));
}

TEST(ConfigSecrets, TokenPastedAsVariableNameIsNotEchoed) {
  TempDir dir;
  const std::string pasted = "Bearer abc.def-ghi";
  const auto error = error_of(load_text(
      dir, "server:\n  auth:\n    mode: bearer\n    bearer_tokens_env: \"" + pasted + "\"\n"));
  EXPECT_THAT(error, HasSubstr("server.auth.bearer_tokens_env: is not an environment variable "
                               "name"));
  EXPECT_THAT(error, Not(HasSubstr("abc.def")));
}

TEST(ConfigSecrets, ModeNoneDoesNotReadSecretFiles) {
  TempDir dir;
  const auto result = load_text(dir,
                                "server:\n  auth:\n    bearer_tokens_file: missing\n    "
                                "basic_password_env: UNSET_VARIABLE\n");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->server.auth.bearer_tokens.empty());
  EXPECT_TRUE(result->server.auth.basic_password.empty());
}

TEST(ConfigSecrets, BasicPasswordFromFileDropsTrailingNewline) {
  TempDir dir;
  dir.write("pw", std::string(kPassword) + "\n");
  const auto result = load_text(dir,
                                "server:\n  auth:\n    mode: basic\n    basic_username: "
                                "ops\n    basic_password_file: pw\n");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.auth.basic_username, "ops");
  EXPECT_EQ(result->server.auth.basic_password, kPassword);
}

TEST(ConfigSecrets, BasicPasswordFromNamedVariable) {
  TempDir dir;
  const auto result = load_text(
      dir,
      "server:\n  auth:\n    mode: basic\n    basic_username: ops\n    basic_password_env: PW\n",
      {{"PW", kPassword}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.auth.basic_password, kPassword);
}

TEST(ConfigSecrets, BasicModeNeedsUsernameAndOnePassword) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  auth:\n    mode: basic\n"
                                 "    basic_password_env: PW\n",
                                 {{"PW", kPassword}})),
              HasSubstr("config.yaml:3: server.auth.basic_username: required when "
                        "server.auth.mode is basic"));
  EXPECT_THAT(
      error_of(load_text(dir, "server:\n  auth:\n    mode: basic\n    basic_username: u\n")),
      HasSubstr("config.yaml:3: server.auth.mode: basic mode needs a password"));
  dir.write("pw", "\n");
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  auth:\n    mode: basic\n    basic_username: u\n"
                                 "    basic_password_file: pw\n")),
              HasSubstr("holds an empty password"));
  dir.write("pw", kPassword);
  const auto both = error_of(load_text(dir,
                                       "server:\n  auth:\n    mode: basic\n    basic_username: u\n"
                                       "    basic_password_file: pw\n    basic_password_env: PW\n",
                                       {{"PW", kPassword}}));
  EXPECT_THAT(both, HasSubstr("config.yaml:6: server.auth.basic_password_env: set either"));
  EXPECT_THAT(both, Not(HasSubstr(kPassword)));
}

TEST(ConfigSecrets, SecretBearingOverrideIsRejected) {
  TempDir dir;
  for (const char* key : {"server.auth.bearer_tokens_file", "server.auth.bearer_tokens_env",
                          "server.auth.basic_password_file", "server.auth.basic_password_env"}) {
    const auto error = error_of(load_text(dir, "", {}, {{key, kToken, "--set"}}));
    EXPECT_THAT(error, HasSubstr(std::string("--set / ") + key +
                                 ": is secret-bearing and cannot be "
                                 "set on the command line"));
    EXPECT_THAT(error, Not(HasSubstr(kToken)));
  }
}

TEST(ConfigSecrets, UnknownOverrideDoesNotEchoItsValue) {
  TempDir dir;
  const auto error = error_of(load_text(dir, "", {}, {{"server.auth.bearer_tokens", kToken}}));
  EXPECT_THAT(error, HasSubstr("command line: server.auth.bearer_tokens: unknown key (did you "
                               "mean server.auth.bearer_tokens_file?)"));
  EXPECT_THAT(error, Not(HasSubstr(kToken)));
}

TEST(ConfigSecrets, RenderRedactsResolvedTokens) {
  TempDir dir;
  dir.write("tokens", std::string(kToken) + "\n");
  const auto result =
      load_text(dir,
                "server:\n  auth:\n    mode: bearer\n    bearer_tokens_file: tokens\n"
                "    bearer_tokens_env: MORE_TOKENS\n",
                {{"MORE_TOKENS", "env-token-1234"}});
  ASSERT_TRUE(result.ok()) << result.error();
  const auto text = render_effective(*result);
  EXPECT_THAT(text, Not(HasSubstr(kToken)));
  EXPECT_THAT(text, Not(HasSubstr("env-token-1234")));
  EXPECT_THAT(text, HasSubstr("# bearer_tokens: <redacted> (2 resolved)"));
  EXPECT_THAT(text, HasSubstr("bearer_tokens_file: \"" + (dir.path() / "tokens").string() + "\""));
  EXPECT_THAT(text, HasSubstr("bearer_tokens_env: \"MORE_TOKENS\""));
  EXPECT_THAT(text, HasSubstr("mode: bearer"));
}

TEST(ConfigSecrets, RenderRedactsPassword) {
  TempDir dir;
  const auto result = load_text(
      dir,
      "server:\n  auth:\n    mode: basic\n    basic_username: ops\n    basic_password_env: PW\n",
      {{"PW", kPassword}});
  ASSERT_TRUE(result.ok()) << result.error();
  const auto text = render_effective(*result);
  EXPECT_THAT(text, Not(HasSubstr(kPassword)));
  EXPECT_THAT(text, HasSubstr("# basic_password: <redacted>"));
  EXPECT_THAT(text, HasSubstr("basic_username: \"ops\""));
}

}  // namespace
}  // namespace observo::config

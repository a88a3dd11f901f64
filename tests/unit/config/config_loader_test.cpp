// load(): defaults, file values, precedence, and the error messages for bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "config_test_util.h"
#include "observo/config/loader.h"

namespace observo::config {
namespace {

using testing::fake_env;
using ::testing::HasSubstr;
using testing::load_text;
using ::testing::Not;
using testing::TempDir;

const std::string kTestdata = std::string(OBSERVO_TESTDATA_DIR) + "/config";

std::string error_of(const Result<Config>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string("<loaded fine>") : result.error();
}

TEST(ConfigLoader, EmbeddedDefaultGivesStructDefaults) {
  const auto result = load({.path = "", .env = fake_env()});
  ASSERT_TRUE(result.ok()) << result.error();
  Config expected;
  expected.source = "<embedded default>";
  EXPECT_EQ(*result, expected);
}

TEST(ConfigLoader, EmptyFileKeepsDefaults) {
  TempDir dir;
  const auto result = load_text(dir, "# nothing here\n");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.port, 8080);
  EXPECT_EQ(result->source, (dir.path() / "config.yaml").string());
}

TEST(ConfigLoader, EmptySectionsKeepDefaults) {
  TempDir dir;
  const auto result = load_text(dir, "server:\npixie:\nlog: {}\n");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->log.level, "info");
}

TEST(ConfigLoader, ReadsEveryKeyFromFile) {
  const auto result = load({.path = kTestdata + "/full.yaml", .env = fake_env()});
  ASSERT_TRUE(result.ok()) << result.error();
  const auto& c = *result;
  EXPECT_EQ(c.server.listen_address, "127.0.0.1");
  EXPECT_EQ(c.server.port, 9464);
  EXPECT_EQ(c.server.threads, 8);
  EXPECT_EQ(c.server.read_timeout, Duration{500});
  EXPECT_EQ(c.server.write_timeout, Duration{120'000});
  EXPECT_EQ(c.server.idle_timeout, Duration{5'400'000});
  EXPECT_EQ(c.server.shutdown_timeout, Duration{30'000});  // a plain integer is seconds
  EXPECT_EQ(c.server.max_header_bytes, 16u * 1024);
  EXPECT_EQ(c.server.max_body_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(c.server.max_connections, 1000);
  EXPECT_FALSE(c.server.tls.enabled);
  EXPECT_EQ(c.server.tls.cert_file, kTestdata + "/certs/server.pem");
  EXPECT_EQ(c.server.tls.key_file, kTestdata + "/certs/server.key");
  EXPECT_EQ(c.server.tls.client_ca_file, "/etc/observo/ca.pem");
  EXPECT_EQ(c.server.auth.mode, AuthConfig::Mode::kBearer);
  EXPECT_EQ(c.server.auth.bearer_tokens_file, kTestdata + "/tokens.txt");
  EXPECT_EQ(c.server.auth.bearer_tokens,
            (std::vector<std::string>{"testdata-token-one", "testdata-token-two"}));
  EXPECT_EQ(c.server.auth.basic_username, "admin");
  EXPECT_EQ(c.server.auth.protected_paths, (std::vector<std::string>{"/api/", "/debug/"}));
  EXPECT_TRUE(c.server.cors.enabled);
  EXPECT_EQ(c.server.cors.allowed_origins,
            (std::vector<std::string>{"https://grafana.example.com", "https://ops.example.com"}));
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
  EXPECT_EQ(c.metrics.max_series_per_family, 500u);
  EXPECT_EQ(c.metrics.series_caps,
            (std::map<std::string, std::size_t>{{"http_requests_total", 100},
                                                {"observo_flow_bytes_total", 2000}}));
  EXPECT_FALSE(c.metrics.process_metrics);
  EXPECT_TRUE(c.pixie.enabled);
  EXPECT_TRUE(c.otlp.enabled);
  EXPECT_TRUE(c.netprobe.enabled);
  EXPECT_TRUE(c.xray.enabled);
}

TEST(ConfigLoader, EnvironmentBeatsFile) {
  TempDir dir;
  const auto result =
      load_text(dir, "server:\n  port: 9000\n  tls:\n    cert_file: a.pem\nlog:\n  level: warn\n",
                {{"OBSERVO_SERVER_PORT", "9100"},
                 {"OBSERVO_SERVER_TLS_CERT_FILE", "/etc/tls/b.pem"},
                 {"OBSERVO_SERVER_READ_TIMEOUT", "3s"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.port, 9100);
  EXPECT_EQ(result->server.tls.cert_file, "/etc/tls/b.pem");
  EXPECT_EQ(result->server.read_timeout, Duration{3000});
  EXPECT_EQ(result->log.level, "warn");  // not in the environment: the file wins
}

TEST(ConfigLoader, OverrideBeatsEnvironment) {
  TempDir dir;
  const auto result = load_text(dir, "server:\n  port: 9000\n", {{"OBSERVO_SERVER_PORT", "9100"}},
                                {{"server.port", "9200"}, {"log.level", "debug", "--log-level"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.port, 9200);
  EXPECT_EQ(result->log.level, "debug");
}

TEST(ConfigLoader, LaterOverrideOfTheSameKeyWins) {
  TempDir dir;
  const auto result = load_text(dir, "", {}, {{"server.port", "1"}, {"server.port", "2"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.port, 2);
}

TEST(ConfigLoader, EnvironmentListsAndMapsAreCommaSeparated) {
  TempDir dir;
  const auto result =
      load_text(dir, "server:\n  cors:\n    allowed_origins: [a]\n",
                {{"OBSERVO_SERVER_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"},
                 {"OBSERVO_METRICS_SERIES_CAPS", "foo_total=10, bar=20"},
                 {"OBSERVO_METRICS_PROCESS_METRICS", "off"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.cors.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(result->metrics.series_caps,
            (std::map<std::string, std::size_t>{{"foo_total", 10}, {"bar", 20}}));
  EXPECT_FALSE(result->metrics.process_metrics);
}

TEST(ConfigLoader, EmptyEnvironmentVariableCountsAsUnset) {
  TempDir dir;
  const auto result = load_text(dir, "server:\n  port: 9000\n", {{"OBSERVO_SERVER_PORT", ""}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.port, 9000);
}

TEST(ConfigLoader, RelativePathsInFileResolveAgainstItsFolder) {
  TempDir dir;
  const auto result = load_text(dir, "server:\n  tls:\n    cert_file: certs/../certs/s.pem\n",
                                {{"OBSERVO_SERVER_TLS_KEY_FILE", "relative/key.pem"}});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.tls.cert_file, (dir.path() / "certs/s.pem").string());
  // From the environment: relative to the current directory, left as given.
  EXPECT_EQ(result->server.tls.key_file, "relative/key.pem");
}

TEST(ConfigLoader, SyntaxErrorHasLineAndColumn) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  port: 8080\n  threads: [1, 2\n")),
              HasSubstr("config.yaml:4:1: YAML syntax error: end of sequence flow not found"));
  EXPECT_THAT(error_of(load_text(dir, "a: b: c\n")),
              HasSubstr("config.yaml:1:5: YAML syntax error: "));
}

TEST(ConfigLoader, UnknownKeySuggestsTheClosestOne) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "log:\n  level: info\nserver:\n  prot: 8080\n")),
              HasSubstr("config.yaml:4: server.prot: unknown key (did you mean server.port?)"));
  EXPECT_THAT(error_of(load_text(dir, "servr:\n  port: 1\n")),
              HasSubstr("config.yaml:1: servr: unknown key (did you mean server?)"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  tls:\n    cert: x\n")),
              HasSubstr("config.yaml:3: server.tls.cert: unknown key (did you mean "
                        "server.tls.cert_file?)"));
  EXPECT_EQ(error_of(load_text(dir, "server:\n  zzzzzzzzzz: 1\n")),
            (dir.path() / "config.yaml").string() + ":2: server.zzzzzzzzzz: unknown key");
}

TEST(ConfigLoader, UnknownKeyInSourceSection) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "pixie:\n  enabled: true\n  address: x\n")),
              HasSubstr("config.yaml:3: pixie.address: unknown key"));
}

TEST(ConfigLoader, WrongTypeNamesKeyAndLine) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "# c\nlog:\n  level: info\nserver:\n  port: abc\n")),
              HasSubstr("config.yaml:5: server.port: expected an integer, got 'abc'"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  tls:\n    enabled: maybe\n")),
              HasSubstr("config.yaml:3: server.tls.enabled: expected true or false, got 'maybe'"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  port: [1, 2]\n")),
              HasSubstr("config.yaml:2: server.port: expected an integer, got a list"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  listen_address: {a: 1}\n")),
              HasSubstr("config.yaml:2: server.listen_address: expected a string, got a mapping"));
  EXPECT_THAT(error_of(load_text(dir, "log:\n  level: loud\n")),
              HasSubstr("config.yaml:2: log.level: expected one of trace, debug, info, warn, "
                        "error, got 'loud'"));
}

TEST(ConfigLoader, OutOfRangeShowsTheRange) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n\n\n  port: 70000\n")),
              HasSubstr("config.yaml:4: server.port: 70000 is out of range (0..65535)"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  threads: 0\n")),
              HasSubstr("config.yaml:2: server.threads: 0 is out of range (1..64)"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  port: 99999999999999999999999\n")),
              HasSubstr("server.port: 99999999999999999999999 is out of range (0..65535)"));
  EXPECT_THAT(error_of(load_text(dir, "metrics:\n  max_series_per_family: 0\n")),
              HasSubstr("config.yaml:2: metrics.max_series_per_family: 0 is out of range"));
  EXPECT_THAT(
      error_of(load_text(dir, "server:\n  max_header_bytes: 100\n")),
      HasSubstr("config.yaml:2: server.max_header_bytes: 100 is out of range (1KiB..1MiB)"));
}

TEST(ConfigLoader, BadDurations) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  read_timeout: 10 seconds\n")),
              HasSubstr("config.yaml:2: server.read_timeout: expected a duration such as 500ms, "
                        "10s, 2m or 1h (a plain integer means seconds), got '10 seconds'"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  read_timeout: -5s\n")),
              HasSubstr("server.read_timeout: expected a duration"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  read_timeout: 2h\n")),
              HasSubstr("config.yaml:2: server.read_timeout: 2h is out of range (1ms..1h)"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  write_timeout: 0\n")),
              HasSubstr("server.write_timeout: 0 is out of range (1ms..1h)"));
}

TEST(ConfigLoader, BadSize) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  max_body_bytes: 1 MB please\n")),
              HasSubstr("config.yaml:2: server.max_body_bytes: expected a size"));
}

TEST(ConfigLoader, NonMappingSection) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "log:\n  level: info\nserver: 8080\n")),
              HasSubstr("config.yaml:3: server: expected a mapping of keys, got '8080'"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  tls: [a]\n")),
              HasSubstr("config.yaml:2: server.tls: expected a mapping of keys, got a list"));
  EXPECT_THAT(error_of(load_text(dir, "- server\n")),
              HasSubstr("config.yaml:1: expected a mapping of sections"));
}

TEST(ConfigLoader, DuplicateAndDottedKeys) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  port: 1\n  port: 2\n")),
              HasSubstr("config.yaml:3: server.port: duplicate key"));
  EXPECT_THAT(error_of(load_text(dir, "server.port: 1\n")),
              HasSubstr("config.yaml:1: server.port: keys are nested mappings"));
}

TEST(ConfigLoader, ListAndMapErrors) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  cors:\n    allowed_origins: \"*\"\n")),
              HasSubstr("config.yaml:3: server.cors.allowed_origins: expected a list of strings, "
                        "got '*'"));
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  cors:\n    allowed_origins:\n      - a\n"
                                 "      - [b]\n")),
              HasSubstr("config.yaml:5: server.cors.allowed_origins[1]: expected a string, got a "
                        "list"));
  EXPECT_THAT(
      error_of(load_text(dir, "metrics:\n  series_caps:\n    a_total: 1\n    b_total: lots\n")),
      HasSubstr("config.yaml:4: metrics.series_caps.b_total: expected an integer, got 'lots'"));
  EXPECT_THAT(error_of(load_text(dir, "metrics:\n  series_caps:\n    bad-name: 1\n")),
              HasSubstr("config.yaml:3: metrics.series_caps.bad-name: 'bad-name' is not a metric "
                        "family name"));
  EXPECT_THAT(error_of(load_text(dir, "metrics:\n  series_caps:\n    a: 0\n")),
              HasSubstr("metrics.series_caps.a: 0 is out of range (1..1000000000)"));
}

TEST(ConfigLoader, RulesAcrossKeys) {
  TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, "server:\n  auth:\n    protected_paths: [api]\n")),
              HasSubstr("config.yaml:3: server.auth.protected_paths: 'api' must start with /"));
  EXPECT_THAT(error_of(load_text(dir,
                                 "server:\n  cors:\n    enabled: true\n    "
                                 "allowed_origins: []\n")),
              HasSubstr("config.yaml:4: server.cors.allowed_origins: needs at least one origin"));
  EXPECT_THAT(error_of(load_text(dir, "server:\n  listen_address: \"\"\n")),
              HasSubstr("config.yaml:2: server.listen_address: must not be empty"));
}

TEST(ConfigLoader, EnvironmentErrorNamesTheVariable) {
  TempDir dir;
  EXPECT_EQ(error_of(load_text(dir, "", {{"OBSERVO_SERVER_PORT", "abc"}})),
            "environment OBSERVO_SERVER_PORT: server.port: expected an integer, got 'abc'");
  EXPECT_THAT(error_of(load_text(dir, "", {{"OBSERVO_METRICS_SERIES_CAPS", "a=1,b"}})),
              HasSubstr("environment OBSERVO_METRICS_SERIES_CAPS: metrics.series_caps: expected "
                        "name=value items, got 'b'"));
  EXPECT_THAT(error_of(load_text(dir, "", {{"OBSERVO_LOG_FORMAT", "xml"}})),
              HasSubstr("environment OBSERVO_LOG_FORMAT: log.format: expected one of text, json"));
}

TEST(ConfigLoader, OverrideErrorNamesTheFlag) {
  TempDir dir;
  EXPECT_EQ(error_of(load_text(dir, "", {}, {{"server.port", "70000", "--port"}})),
            "--port / server.port: 70000 is out of range (0..65535)");
  EXPECT_EQ(error_of(load_text(dir, "", {}, {{"server.read_timeout", "soon"}})),
            "command line: server.read_timeout: expected a duration such as 500ms, 10s, 2m or 1h "
            "(a plain integer means seconds), got 'soon'");
  EXPECT_EQ(error_of(load_text(dir, "", {}, {{"server.prot", "1"}})),
            "command line: server.prot: unknown key (did you mean server.port?)");
}

TEST(ConfigLoader, MissingConfigFile) {
  TempDir dir;
  const auto path = (dir.path() / "absent.yaml").string();
  const auto result = load({.path = path, .env = fake_env()});
  EXPECT_THAT(error_of(result),
              HasSubstr("config file: cannot read '" + path + "': No such file or directory"));
  EXPECT_THAT(error_of(load({.path = dir.path().string(), .env = fake_env()})),
              HasSubstr("it is a directory"));
}

TEST(ConfigLoader, EnvironmentIsOnlyReadThroughTheLookup) {
  TempDir dir;
  std::vector<std::string> asked;
  LoadOptions options{.path = dir.write("config.yaml", ""),
                      .env = [&asked](const std::string& name) -> std::optional<std::string> {
                        asked.push_back(name);
                        return std::nullopt;
                      }};
  ASSERT_TRUE(load(options).ok());
  EXPECT_THAT(asked, ::testing::Contains("OBSERVO_SERVER_PORT"));
  EXPECT_THAT(asked, ::testing::Contains("OBSERVO_SERVER_TLS_CERT_FILE"));
  EXPECT_THAT(asked, Not(::testing::Contains("OBSERVO_SERVER_AUTH_BEARER_TOKENS")));
}

}  // namespace
}  // namespace observo::config

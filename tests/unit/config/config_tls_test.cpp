// TLS file checks at load time, against certificates and keys made here with OpenSSL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../support/test_certificates.h"
#include "config_test_util.h"
#include "observo/config/loader.h"

namespace observo::config {
namespace {

using ::observo::testing::make_self_signed;
using ::testing::HasSubstr;
using testing::load_text;
using ::testing::Not;
using testing::TempDir;

std::string error_of(const Result<Config>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string("<loaded fine>") : result.error();
}

std::string tls_yaml(const std::string& cert, const std::string& key, const std::string& ca = "") {
  std::string yaml = "server:\n  tls:\n    enabled: true\n";
  if (!cert.empty()) yaml += "    cert_file: " + cert + "\n";
  if (!key.empty()) yaml += "    key_file: " + key + "\n";
  if (!ca.empty()) yaml += "    client_ca_file: " + ca + "\n";
  return yaml;
}

class ConfigTls : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto server = make_self_signed("observo-test");
    const auto ca = make_self_signed("observo-test-ca");
    dir_.write("tls/server.pem", server.cert);
    dir_.write("tls/server.key", server.key);
    dir_.write("tls/ca.pem", ca.cert);
    dir_.write("tls/other.key", ca.key);
    dir_.write("tls/garbage.pem", "not a certificate\n");
  }

  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  TempDir dir_;
};

TEST_F(ConfigTls, ValidCertificateAndKeyLoad) {
  const auto result = load_text(dir_, tls_yaml("tls/server.pem", "tls/server.key", "tls/ca.pem"));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->server.tls.enabled);
  EXPECT_EQ(result->server.tls.cert_file, path("tls/server.pem"));
  EXPECT_EQ(result->server.tls.key_file, path("tls/server.key"));
  EXPECT_EQ(result->server.tls.client_ca_file, path("tls/ca.pem"));
}

TEST_F(ConfigTls, RelativePathsFollowTheConfigFileNotTheCurrentDirectory) {
  // The config lives in a subfolder; its relative paths must not be read from the cwd.
  const auto config =
      dir_.write("conf/observo.yaml", tls_yaml("../tls/server.pem", "../tls/server.key"));
  const auto result = load({.path = config, .env = testing::fake_env()});
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->server.tls.cert_file, path("tls/server.pem"));
}

TEST_F(ConfigTls, EnabledNeedsCertificateAndKey) {
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("", "tls/server.key"))),
              HasSubstr("config.yaml:3: server.tls.cert_file: required when server.tls.enabled is "
                        "true"));
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("tls/server.pem", ""))),
              HasSubstr("config.yaml:3: server.tls.key_file: required when server.tls.enabled is "
                        "true"));
}

TEST_F(ConfigTls, UnreadableFileNamesKeyAndPath) {
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("tls/absent.pem", "tls/server.key"))),
              HasSubstr("config.yaml:4: server.tls.cert_file: cannot read '" +
                        path("tls/absent.pem") + "': No such file or directory"));
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("tls/server.pem", "tls"))),
              HasSubstr("config.yaml:5: server.tls.key_file: cannot read '" + path("tls") +
                        "': it is a directory"));
}

TEST_F(ConfigTls, NotPemIsRejected) {
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("tls/garbage.pem", "tls/server.key"))),
              HasSubstr("config.yaml:4: server.tls.cert_file: '" + path("tls/garbage.pem") +
                        "' does not hold a PEM certificate"));
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("tls/server.pem", "tls/garbage.pem"))),
              HasSubstr("config.yaml:5: server.tls.key_file: '" + path("tls/garbage.pem") +
                        "' does not hold an unencrypted PEM private key"));
  EXPECT_THAT(
      error_of(load_text(dir_, tls_yaml("tls/server.pem", "tls/server.key", "tls/garbage.pem"))),
      HasSubstr("config.yaml:6: server.tls.client_ca_file: '" + path("tls/garbage.pem") +
                "' does not hold a PEM certificate"));
}

TEST_F(ConfigTls, KeyThatDoesNotMatchTheCertificateIsRejected) {
  const auto error = error_of(load_text(dir_, tls_yaml("tls/server.pem", "tls/other.key")));
  EXPECT_THAT(error,
              HasSubstr("config.yaml:5: server.tls.key_file: '" + path("tls/other.key") +
                        "' does not match the certificate in '" + path("tls/server.pem") + "'"));
  EXPECT_THAT(error, Not(HasSubstr("PRIVATE KEY")));
}

TEST_F(ConfigTls, EncryptedKeyIsRejectedWithoutPrompting) {
  const auto encrypted = make_self_signed("observo-encrypted", {.passphrase = "passphrase"});
  dir_.write("tls/enc.pem", encrypted.cert);
  dir_.write("tls/enc.key", encrypted.key);
  EXPECT_THAT(error_of(load_text(dir_, tls_yaml("tls/enc.pem", "tls/enc.key"))),
              HasSubstr("server.tls.key_file: '" + path("tls/enc.key") +
                        "' does not hold an unencrypted PEM private key"));
}

TEST_F(ConfigTls, FilesAreNotCheckedWhileTlsIsOff) {
  const auto result = load_text(dir_, "server:\n  tls:\n    cert_file: tls/absent.pem\n");
  ASSERT_TRUE(result.ok()) << result.error();
}

// `observo config check --syntax-only`: the configuration alone, for a file written for another
// machine; the same rules still apply to its values.
TEST_F(ConfigTls, FilesAreNotReadWhenReadFilesIsOff) {
  const auto yaml = tls_yaml("tls/absent.pem", "tls/absent.key") +
                    "  auth:\n    mode: bearer\n    bearer_tokens_file: absent-tokens\n";
  EXPECT_THAT(error_of(load_text(dir_, yaml)), HasSubstr("server.tls.cert_file: cannot read"));
  LoadOptions options;
  options.path = dir_.write("config.yaml", yaml);
  options.env = testing::fake_env();
  options.read_files = false;
  const auto result = load(options);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->server.auth.bearer_tokens.empty());
  options.path = dir_.write("config.yaml", yaml + "  port: 70000\n");
  EXPECT_THAT(error_of(load(options)), HasSubstr("server.port"));
}

TEST_F(ConfigTls, EnvironmentPathsAreChecked) {
  const auto error = error_of(load_text(dir_, "server:\n  tls:\n    enabled: true\n",
                                        {{"OBSERVO_SERVER_TLS_CERT_FILE", path("tls/server.pem")},
                                         {"OBSERVO_SERVER_TLS_KEY_FILE", path("tls/nope.key")}}));
  EXPECT_THAT(error, HasSubstr("environment OBSERVO_SERVER_TLS_KEY_FILE: server.tls.key_file: "
                               "cannot read '" +
                               path("tls/nope.key") + "'"));
}

}  // namespace

// otlp.tls gets the same checks as server.tls, named by its own keys, while OTLP is enabled.
TEST_F(ConfigTls, OtlpReceiverFilesAreCheckedWhenOtlpRuns) {
  const auto otlp = [](const std::string& key, bool enabled) {
    return std::string("otlp:\n  enabled: ") + (enabled ? "true" : "false") +
           "\n  tls:\n    enabled: true\n    cert_file: tls/server.pem\n    key_file: " + key +
           "\n";
  };
  EXPECT_THAT(error_of(load_text(dir_, otlp("tls/other.key", true))),
              HasSubstr("config.yaml:6: otlp.tls.key_file: '" + path("tls/other.key") +
                        "' does not match the certificate in '" + path("tls/server.pem") + "'"));
  const auto good = load_text(dir_, otlp("tls/server.key", true));
  ASSERT_TRUE(good.ok()) << good.error();
  EXPECT_TRUE(load_text(dir_, otlp("tls/other.key", false)).ok());
  EXPECT_THAT(error_of(load_text(dir_, "otlp:\n  enabled: true\n  tls:\n    enabled: true\n")),
              HasSubstr("otlp.tls.cert_file: required when otlp.tls.enabled is true"));
}

}  // namespace observo::config

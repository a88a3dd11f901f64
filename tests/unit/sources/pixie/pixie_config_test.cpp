// pixie.clusters, the configuration's one list of mappings: fields, defaults, errors with the
// element path and line, relative paths, rejection from the environment and the command line,
// and the rendered form loading back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../config/config_test_util.h"
#include "observo/config/loader.h"

namespace observo::config {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

std::optional<std::string> no_env(const std::string&) { return std::nullopt; }

TEST(PixieConfig, ClustersAreReadWithDefaultsAndResolvedPaths) {
  TempDir dir;
  const auto path = dir.write("conf/observo.yaml",
                              "pixie:\n"
                              "  enabled: true\n"
                              "  clusters:\n"
                              "    - id: prod\n"
                              "      address: vizier:50300\n"
                              "      ca_cert: certs/ca.crt\n"
                              "      jwt_signing_key_file: /abs/key\n"
                              "      query_timeout: 5s\n"
                              "    - id: dev\n"
                              "      address: localhost:50300\n"
                              "      disable_ssl: true\n");
  const auto config = load({.path = path, .env = no_env});
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_EQ(config->pixie.clusters.size(), 2u);
  const auto& prod = config->pixie.clusters[0];
  EXPECT_EQ(prod.id, "prod");
  EXPECT_EQ(prod.address, "vizier:50300");
  EXPECT_EQ(prod.ca_cert, (dir.path() / "conf/certs/ca.crt").string());
  EXPECT_EQ(prod.jwt_signing_key_file, "/abs/key");
  EXPECT_EQ(prod.query_timeout, Duration(5000));
  EXPECT_EQ(prod.interval, Duration(30000));
  EXPECT_EQ(prod.jwt_service, "observo");
  EXPECT_FALSE(prod.disable_ssl);
  EXPECT_TRUE(config->pixie.clusters[1].disable_ssl);
  EXPECT_EQ(config->pixie.clusters[1].ca_cert, "");
}

TEST(PixieConfig, ErrorsNameTheElementAndLine) {
  TempDir dir;
  const auto load_text = [&dir](const std::string& text) {
    return load({.path = dir.write("c.yaml", text), .env = no_env});
  };
  const auto unknown = load_text(
      "pixie:\n  clusters:\n    - id: a\n      address: x:1\n    - id: b\n      adress: y\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.error(), HasSubstr("c.yaml:6: pixie.clusters[1].adress: unknown key (known: "
                                         "id, address, disable_ssl,"));
  const auto missing = load_text("pixie:\n  clusters:\n    - id: a\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error(), HasSubstr("c.yaml:3: pixie.clusters[0].address: required"));
  const auto wrong_type =
      load_text("pixie:\n  clusters:\n    - id: a\n      address: x\n      skip_verify: maybe\n");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_THAT(wrong_type.error(),
              HasSubstr("c.yaml:5: pixie.clusters[0].skip_verify: expected true or false"));
  const auto not_list = load_text("pixie:\n  clusters: 3\n");
  ASSERT_FALSE(not_list.ok());
  EXPECT_THAT(not_list.error(), HasSubstr("pixie.clusters: expected a list of mappings, got '3'"));
  const auto scalar_item = load_text("pixie:\n  clusters:\n    - foo\n");
  ASSERT_FALSE(scalar_item.ok());
  EXPECT_THAT(scalar_item.error(),
              HasSubstr("c.yaml:3: pixie.clusters[0]: expected a mapping, got 'foo'"));
}

TEST(PixieConfig, ClustersCannotComeFromTheEnvironmentOrTheCommandLine) {
  const auto env =
      load({.path = "", .env = [](const std::string& name) -> std::optional<std::string> {
              if (name == "OBSERVO_PIXIE_CLUSTERS") return "a";
              if (name == "OBSERVO_XRAY_UDP_PORT") return "2000";
              return std::nullopt;
            }});
  ASSERT_FALSE(env.ok());
  EXPECT_THAT(env.error(),
              HasSubstr("OBSERVO_PIXIE_CLUSTERS: pixie.clusters: is a list of mappings "
                        "and can only be set in the configuration file"));
  TempDir dir;
  const auto flag = load({.path = dir.write("c.yaml", "{}\n"),
                          .env = no_env,
                          .overrides = {{"pixie.clusters", "x", "--set"}}});
  ASSERT_FALSE(flag.ok());
  EXPECT_THAT(flag.error(), HasSubstr("can only be set in the configuration file"));
}

TEST(PixieConfig, RenderedClustersLoadBack) {
  TempDir dir;
  const auto original = load({.path = dir.write("c.yaml",
                                                "pixie:\n  clusters:\n    - id: \"a b\"\n"
                                                "      address: \"h:1\"\n      interval: 90s\n"
                                                "      server_name: 'q\"x'\n"),
                              .env = no_env});
  ASSERT_TRUE(original.ok()) << original.error();
  const auto rendered = render_effective(*original);
  EXPECT_THAT(rendered,
              HasSubstr("  clusters: [{id: \"a b\", address: \"h:1\", disable_ssl: false"));
  const auto reloaded = load({.path = dir.write("r.yaml", rendered), .env = no_env});
  ASSERT_TRUE(reloaded.ok()) << reloaded.error() << rendered;
  EXPECT_EQ(reloaded->pixie, original->pixie);
}

}  // namespace
}  // namespace observo::config

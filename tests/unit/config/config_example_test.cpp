// The embedded default, config.example.yaml, docs/configuration.md and render_effective all
// follow the schema: every key is documented, and what is printed loads back unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config_test_util.h"
#include "observo/config/loader.h"
#include "observo/config/schema.h"

namespace observo::config {
namespace {

using testing::fake_env;
using ::testing::HasSubstr;
using testing::TempDir;

const std::string kExample = std::string(OBSERVO_SOURCE_DIR) + "/config.example.yaml";
const std::string kDocs = std::string(OBSERVO_SOURCE_DIR) + "/docs/configuration.md";

std::string read(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string leaf_of(std::string_view path) { return std::string(path.substr(path.rfind('.') + 1)); }

TEST(ConfigExample, EmbeddedDefaultIsTheExampleFile) {
  EXPECT_EQ(std::string(kEmbeddedDefaultConfig), read(kExample));
  EXPECT_EQ(std::string(kEmbeddedDefaultConfig).find(")OBSERVO_EMBEDDED\""), std::string::npos);
}

TEST(ConfigExample, ExampleLoadsToTheDefaults) {
  const auto from_file = load({.path = kExample, .env = fake_env()});
  ASSERT_TRUE(from_file.ok()) << from_file.error();
  const auto embedded = load({.path = "", .env = fake_env()});
  ASSERT_TRUE(embedded.ok()) << embedded.error();
  EXPECT_EQ(embedded->source, "<embedded default>");

  Config expected;
  expected.server.listen_address = "0.0.0.0";
  expected.server.port = 8080;
  expected.source = kExample;
  EXPECT_EQ(*from_file, expected);
  expected.source = embedded->source;
  EXPECT_EQ(*embedded, expected);
}

TEST(ConfigExample, ExampleDocumentsEveryKey) {
  const auto text = read(kExample);
  for (const auto& spec : schema()) {
    EXPECT_THAT(text, HasSubstr(" " + leaf_of(spec.path) + ": ")) << spec.path;
    EXPECT_THAT(text, HasSubstr(env_var_name(spec.path))) << spec.path;
  }
}

TEST(ConfigExample, DocsListEveryKeyWithItsEnvironmentVariable) {
  const auto text = read(kDocs);
  const Config defaults;
  for (const auto& spec : schema()) {
    EXPECT_THAT(text, HasSubstr("`" + std::string(spec.path) + "`")) << spec.path;
    EXPECT_THAT(text, HasSubstr("`" + env_var_name(spec.path) + "`")) << spec.path;
    EXPECT_THAT(text, HasSubstr(describe_type(spec))) << spec.path;
  }
}

TEST(ConfigSchema, EnvironmentNamesAreUniqueAndSectionsContiguous) {
  std::set<std::string> names;
  std::set<std::string> closed_sections;
  std::string current;
  for (const auto& spec : schema()) {
    EXPECT_TRUE(names.insert(env_var_name(spec.path)).second) << spec.path;
    const std::string section(spec.path.substr(0, spec.path.rfind('.')));
    if (section != current) {
      EXPECT_FALSE(closed_sections.count(section)) << spec.path << " splits its section";
      closed_sections.insert(current);
      current = section;
    }
    EXPECT_EQ(find_key(spec.path), &spec);
    EXPECT_TRUE(spec.set && spec.get) << spec.path;
  }
  EXPECT_EQ(env_var_name("server.tls.cert_file"), "OBSERVO_SERVER_TLS_CERT_FILE");
  EXPECT_TRUE(is_section("server.tls"));
  EXPECT_FALSE(is_section("server.port"));
}

TEST(ConfigRender, ShowsEveryKeyWithReadableUnits) {
  const auto text = render_effective(Config{});
  for (const auto& spec : schema()) {
    EXPECT_THAT(text, HasSubstr(" " + leaf_of(spec.path) + ": ")) << spec.path;
  }
  EXPECT_THAT(text, HasSubstr("\nserver:\n  listen_address: \"0.0.0.0\"\n  port: 8080\n"));
  EXPECT_THAT(text, HasSubstr("  read_timeout: 10s\n"));
  EXPECT_THAT(text, HasSubstr("  idle_timeout: 1m\n"));
  EXPECT_THAT(text, HasSubstr("  max_header_bytes: 8KiB\n"));
  EXPECT_THAT(text, HasSubstr("  tls:\n    enabled: false\n"));
  EXPECT_THAT(text, HasSubstr("    protected_paths: [\"/api/v1/\"]\n"));
  EXPECT_THAT(text, HasSubstr("\nxray:\n  enabled: false\n"));
}

TEST(ConfigRender, OutputLoadsBackToTheSameConfig) {
  const auto original =
      load({.path = std::string(OBSERVO_TESTDATA_DIR) + "/config/full.yaml", .env = fake_env()});
  ASSERT_TRUE(original.ok()) << original.error();
  auto changed = *original;
  changed.metrics.series_caps["weird:name_total"] = 7;
  changed.server.cors.allowed_origins.push_back("quote\"and\\slash");

  TempDir dir;
  const auto path = dir.write("rendered.yaml", render_effective(changed));
  const auto reloaded = load({.path = path, .env = fake_env()});
  ASSERT_TRUE(reloaded.ok()) << reloaded.error() << "\n" << render_effective(changed);
  changed.source = path;
  EXPECT_EQ(*reloaded, changed);
}

}  // namespace
}  // namespace observo::config

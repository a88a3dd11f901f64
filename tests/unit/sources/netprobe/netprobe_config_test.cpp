// The netprobe section of the configuration: defaults, file, environment, ranges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../../config/config_test_util.h"

namespace observo::config {
namespace {

using testing::fake_env;
using ::testing::HasSubstr;
using testing::TempDir;

TEST(NetprobeConfig, Defaults) {
  const NetprobeConfig c;
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.collect_interval, Duration(5000));
  EXPECT_FALSE(c.active_only);
  EXPECT_FALSE(c.by_protocol);
  EXPECT_EQ(c.tc_priority, 1);
  EXPECT_EQ(c.tc_handle, 0x4f42u);
  EXPECT_EQ(c.interfaces.include, std::vector<std::string>{"*"});
  EXPECT_EQ(c.interfaces.exclude, std::vector<std::string>{"lo"});
}

TEST(NetprobeConfig, LoadsEveryKeyFromTheFile) {
  TempDir dir;
  const auto config = load({.path = dir.write("c.yaml",
                                              "netprobe:\n"
                                              "  enabled: true\n"
                                              "  collect_interval: 200ms\n"
                                              "  active_only: true\n"
                                              "  by_protocol: true\n"
                                              "  tc_priority: 7\n"
                                              "  tc_handle: 4294967295\n"
                                              "  interfaces:\n"
                                              "    include: [\"veth*\", eth0]\n"
                                              "    exclude: [\"veth9*\"]\n"),
                            .env = fake_env()});
  ASSERT_TRUE(config.ok()) << config.error();
  const auto& n = config->netprobe;
  EXPECT_TRUE(n.enabled);
  EXPECT_EQ(n.collect_interval, Duration(200));
  EXPECT_TRUE(n.active_only);
  EXPECT_TRUE(n.by_protocol);
  EXPECT_EQ(n.tc_priority, 7);
  EXPECT_EQ(n.tc_handle, 4294967295u);
  EXPECT_EQ(n.interfaces.include, (std::vector<std::string>{"veth*", "eth0"}));
  EXPECT_EQ(n.interfaces.exclude, std::vector<std::string>{"veth9*"});
}

TEST(NetprobeConfig, EnvironmentOverridesTheFile) {
  TempDir dir;
  const auto config =
      load({.path = dir.write("c.yaml", "netprobe:\n  tc_priority: 7\n"),
            .env = fake_env({{"OBSERVO_NETPROBE_TC_PRIORITY", "9"},
                             {"OBSERVO_NETPROBE_INTERFACES_INCLUDE", "eth0,ens*"}})});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->netprobe.tc_priority, 9);
  EXPECT_EQ(config->netprobe.interfaces.include, (std::vector<std::string>{"eth0", "ens*"}));
}

TEST(NetprobeConfig, RangesAreChecked) {
  TempDir dir;
  const auto check = [&dir](const std::string& yaml, const std::string& expected) {
    const auto config = load({.path = dir.write("c.yaml", yaml), .env = fake_env()});
    ASSERT_FALSE(config.ok()) << yaml;
    EXPECT_THAT(config.error(), HasSubstr(expected));
  };
  check("netprobe:\n  tc_priority: 0\n", "netprobe.tc_priority");
  check("netprobe:\n  tc_priority: 65536\n", "netprobe.tc_priority");
  check("netprobe:\n  tc_handle: 0\n", "netprobe.tc_handle");
  check("netprobe:\n  tc_handle: 4294967296\n", "netprobe.tc_handle");
  check("netprobe:\n  collect_interval: 10ms\n", "netprobe.collect_interval");
  check("netprobe:\n  interfaces:\n    includes: [eth0]\n", "netprobe.interfaces.includes");
}

}  // namespace
}  // namespace observo::config

// netprobe.interfaces.include / exclude: names and shell globs, exclude wins.
#include <gtest/gtest.h>

#include "sources/netprobe/interface_filter.h"

namespace observo::netprobe {
namespace {

TEST(NetprobeInterfaceFilter, DefaultProbesEverythingButLoopback) {
  const InterfaceFilter filter({"*"}, {"lo"});
  EXPECT_TRUE(filter.matches("eth0"));
  EXPECT_TRUE(filter.matches("veth1a2b3c"));
  EXPECT_TRUE(filter.matches("lo0"));  // a glob-free exclude is an exact name
  EXPECT_FALSE(filter.matches("lo"));
  EXPECT_FALSE(filter.matches(""));
}

TEST(NetprobeInterfaceFilter, IncludeNamesAndGlobs) {
  const InterfaceFilter filter({"eth*", "ens5", "wg[0-9]", "br-?"}, {});
  EXPECT_TRUE(filter.matches("eth0"));
  EXPECT_TRUE(filter.matches("eth"));
  EXPECT_TRUE(filter.matches("ens5"));
  EXPECT_FALSE(filter.matches("ens50"));
  EXPECT_TRUE(filter.matches("wg3"));
  EXPECT_FALSE(filter.matches("wg10"));
  EXPECT_TRUE(filter.matches("br-x"));
  EXPECT_FALSE(filter.matches("br-xy"));
  EXPECT_FALSE(filter.matches("docker0"));
}

TEST(NetprobeInterfaceFilter, ExcludeWinsOverInclude) {
  const InterfaceFilter filter({"*"}, {"veth*", "docker0", "cali????????"});
  EXPECT_TRUE(filter.matches("eth0"));
  EXPECT_FALSE(filter.matches("veth9f2"));
  EXPECT_FALSE(filter.matches("docker0"));
  EXPECT_FALSE(filter.matches("cali12345678"));
  EXPECT_TRUE(filter.matches("cali1234567"));
}

TEST(NetprobeInterfaceFilter, EmptyIncludeMatchesNothing) {
  const InterfaceFilter filter({}, {});
  EXPECT_FALSE(filter.matches("eth0"));
}

TEST(NetprobeInterfaceFilter, MatchesWholeNameOnly) {
  const InterfaceFilter filter({"eth0"}, {});
  EXPECT_FALSE(filter.matches("eth00"));
  EXPECT_FALSE(filter.matches("xeth0"));
  EXPECT_TRUE(filter.matches("eth0"));
}

}  // namespace
}  // namespace observo::netprobe

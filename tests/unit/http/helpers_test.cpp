// Request-target parsing, timestamps and HTML escaping used by the routes.
#include <gtest/gtest.h>

#include <chrono>

#include "http/routes.h"
#include "http/target.h"
#include "http/time_format.h"

namespace observo::http {
namespace {

TEST(Target, SplitsPathAndQuery) {
  auto target = parse_target("/metrics?format=json&x=1#frag");
  EXPECT_EQ(target.path, "/metrics");
  EXPECT_EQ(target.query, "format=json&x=1");
  EXPECT_EQ(target.param("format"), "json");
  EXPECT_EQ(target.param("x"), "1");
  EXPECT_FALSE(target.param("y"));

  target = parse_target("/health");
  EXPECT_EQ(target.path, "/health");
  EXPECT_TRUE(target.query.empty());
  EXPECT_FALSE(target.param("format"));
}

TEST(Target, DecodesQueryComponents) {
  const auto target = parse_target("/m?format=open%6Detrics&a+b=c+d&flag&bad=%zz&first=1&first=2");
  EXPECT_EQ(target.param("format"), "openmetrics");
  EXPECT_EQ(target.param("a b"), "c d");
  EXPECT_EQ(target.param("flag"), "");
  EXPECT_EQ(target.param("bad"), "%zz");
  EXPECT_EQ(target.param("first"), "1");
}

TEST(TimeFormat, Rfc3339InUtcWithMilliseconds) {
  using namespace std::chrono;
  const system_clock::time_point time{milliseconds(1700000000123)};
  EXPECT_EQ(format_rfc3339(time), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(format_rfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(TimeFormat, Duration) {
  EXPECT_EQ(format_duration(std::chrono::seconds(42)), "42s");
  EXPECT_EQ(format_duration(std::chrono::seconds(3600)), "1h 0m 0s");
  EXPECT_EQ(format_duration(std::chrono::seconds(90061)), "1d 1h 1m 1s");
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain"), "plain");
}

}  // namespace
}  // namespace observo::http

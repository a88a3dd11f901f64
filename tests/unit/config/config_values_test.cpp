// The scalar rules shared by file, environment and command line: durations, sizes, integers,
// booleans, lists, and the "did you mean" suggestions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "config/value_text.h"
#include "observo/config/schema.h"

namespace observo::config {
namespace {

using detail::format_duration_ms;
using detail::format_size_bytes;
using detail::parse_bool;
using detail::parse_duration_ms;
using detail::parse_int;
using detail::parse_size_bytes;
using ::testing::ElementsAre;

TEST(ConfigValues, Durations) {
  EXPECT_EQ(parse_duration_ms("500ms"), 500);
  EXPECT_EQ(parse_duration_ms("10s"), 10'000);
  EXPECT_EQ(parse_duration_ms("2m"), 120'000);
  EXPECT_EQ(parse_duration_ms("1h"), 3'600'000);
  EXPECT_EQ(parse_duration_ms("1h30m"), 5'400'000);
  EXPECT_EQ(parse_duration_ms("1m500ms"), 60'500);
  EXPECT_EQ(parse_duration_ms(" 30 "), 30'000);  // a plain integer is seconds
  EXPECT_EQ(parse_duration_ms("0"), 0);
  for (const char* bad : {"", "s", "-1s", "1.5s", "10 s", "1d", "10sec", "ms10"}) {
    EXPECT_EQ(parse_duration_ms(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_duration_ms("99999999999999999999h"), std::numeric_limits<std::int64_t>::max());
}

TEST(ConfigValues, Sizes) {
  EXPECT_EQ(parse_size_bytes("1024"), 1024);
  EXPECT_EQ(parse_size_bytes("512B"), 512);
  EXPECT_EQ(parse_size_bytes("8KiB"), 8 * 1024);
  EXPECT_EQ(parse_size_bytes("1MiB"), 1024 * 1024);
  EXPECT_EQ(parse_size_bytes("2GiB"), 2LL * 1024 * 1024 * 1024);
  EXPECT_EQ(parse_size_bytes("8 kib"), 8 * 1024);
  EXPECT_EQ(parse_size_bytes("1KB"), 1000);
  EXPECT_EQ(parse_size_bytes("3MB"), 3'000'000);
  for (const char* bad : {"", "KiB", "-1", "1.5MiB", "1TiB", "1 M"}) {
    EXPECT_EQ(parse_size_bytes(bad), std::nullopt) << bad;
  }
}

TEST(ConfigValues, IntegersAndBooleans) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int(" -7 "), -7);
  EXPECT_EQ(parse_int("+3"), 3);
  EXPECT_EQ(parse_int("0x10"), std::nullopt);
  EXPECT_EQ(parse_int("1e3"), std::nullopt);
  EXPECT_EQ(parse_int(""), std::nullopt);
  EXPECT_EQ(parse_int("99999999999999999999"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_bool("true"), true);
  EXPECT_EQ(parse_bool("Off"), false);
  EXPECT_EQ(parse_bool("1"), true);
  EXPECT_EQ(parse_bool("maybe"), std::nullopt);
}

TEST(ConfigValues, FormattingPicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration_ms(0), "0s");
  EXPECT_EQ(format_duration_ms(1500), "1500ms");
  EXPECT_EQ(format_duration_ms(90'000), "90s");
  EXPECT_EQ(format_duration_ms(120'000), "2m");
  EXPECT_EQ(format_duration_ms(7'200'000), "2h");
  EXPECT_EQ(format_size_bytes(1000), "1000");
  EXPECT_EQ(format_size_bytes(8192), "8KiB");
  EXPECT_EQ(format_size_bytes(3 * 1024 * 1024), "3MiB");
  EXPECT_EQ(format_size_bytes(1024LL * 1024 * 1024), "1GiB");
  EXPECT_EQ(detail::quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
}

TEST(ConfigValues, ListsAndMapsFromText) {
  EXPECT_THAT(detail::split_list(" a, b ,,c "), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(detail::split_list("").empty());
  const auto* caps = find_key("metrics.series_caps");
  ASSERT_NE(caps, nullptr);
  const auto value = detail::value_from_text(*caps, "a_total=1, b:c=2");
  const std::map<std::string, std::int64_t> expected{{"a_total", 1}, {"b:c", 2}};
  using IntMap = std::map<std::string, std::int64_t>;
  EXPECT_EQ(std::get<IntMap>(value), expected);
  EXPECT_THROW(detail::value_from_text(*caps, "a=1,a=2"), detail::BadValue);
  EXPECT_THROW(detail::value_from_text(*caps, "9a=1"), detail::BadValue);
}

TEST(ConfigValues, Suggestions) {
  EXPECT_EQ(suggest_key("server.prot"), "server.port");
  EXPECT_EQ(suggest_key("server.tls.key"), "server.tls.key_file");
  EXPECT_EQ(suggest_key("log.levle"), "log.level");
  EXPECT_EQ(suggest_key("metrcs"), "metrics");
  EXPECT_EQ(suggest_key("server.auth.bearer_token_file"), "server.auth.bearer_tokens_file");
  EXPECT_EQ(suggest_key("completely.different"), std::nullopt);
}

TEST(ConfigValues, TypeDescriptions) {
  EXPECT_EQ(describe_type(*find_key("server.threads")), "integer 1..64");
  EXPECT_EQ(describe_type(*find_key("server.port")), "port 0..65535");
  EXPECT_EQ(describe_type(*find_key("server.read_timeout")), "duration 1ms..1h");
  EXPECT_EQ(describe_type(*find_key("server.max_header_bytes")), "size 1KiB..1MiB");
  EXPECT_EQ(describe_type(*find_key("server.auth.mode")), "one of none, bearer, basic");
}

}  // namespace
}  // namespace observo::config

#include "observo/common/logging.h"

#include <gtest/gtest.h>

namespace observo::logging {
namespace {

TEST(Logging, ParsesLevelsAndFormats) {
  EXPECT_EQ(parse_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_level("error"), spdlog::level::err);
  EXPECT_FALSE(parse_level("loud").has_value());
  EXPECT_EQ(parse_format("json"), LogFormat::kJson);
  EXPECT_FALSE(parse_format("xml").has_value());
}

TEST(Logging, JsonEscapingCoversQuotesBackslashesAndControlCharacters) {
  std::string out;
  append_json_escaped(out, "a\"b\\c\nd\te\x01 \xc3\xa9");
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9");
}

}  // namespace
}  // namespace observo::logging

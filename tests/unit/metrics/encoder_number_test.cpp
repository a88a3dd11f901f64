#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

std::string number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

TEST(EncoderNumber, SpecialValues) {
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(EncoderNumber, IntegersUpToTwoPow53AreExact) {
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.0), "0");
  EXPECT_EQ(number(1), "1");
  EXPECT_EQ(number(-42), "-42");
  EXPECT_EQ(number(1e15), "1000000000000000");
  EXPECT_EQ(number(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(number(-9007199254740992.0), "-9007199254740992");
}

TEST(EncoderNumber, FractionsAreShortestRoundTrip) {
  EXPECT_EQ(number(0.1), "0.1");
  EXPECT_EQ(number(0.5), "0.5");
  EXPECT_EQ(number(-273.15), "-273.15");
  EXPECT_EQ(number(1e-300), "1e-300");
  EXPECT_EQ(number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(number(std::numeric_limits<double>::denorm_min()), "5e-324");
}

TEST(EncoderNumber, EveryOutputParsesBackToTheSameDouble) {
  const double values[] = {0.1,
                           1e-300,
                           1e300,
                           9007199254740994.0,
                           1.7976931348623157e308,
                           2.2250738585072014e-308,
                           123456.789,
                           -0.000123,
                           3.141592653589793};
  for (double value : values) {
    const std::string text = number(value);
    double parsed = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), parsed);
    ASSERT_EQ(result.ec, std::errc()) << text;
    EXPECT_EQ(result.ptr, text.data() + text.size()) << text;
    EXPECT_EQ(parsed, value) << text;
  }
}

TEST(EncoderNumber, Appends) {
  std::string out = "x ";
  append_number(out, 2.5);
  EXPECT_EQ(out, "x 2.5");
}

}  // namespace
}  // namespace observo::metrics

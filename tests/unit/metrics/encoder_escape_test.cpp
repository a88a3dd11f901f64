// The escapers copy plain text a word at a time and store short tails as one shifted word;
// these tests compare them with a token-by-token reference over random strings of every
// length around the 8-byte boundaries, with special characters at every position.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

struct Token {
  std::string raw;
  std::string text;  // Prometheus text and OpenMetrics label value
  std::string json;  // inside a JSON string
};

const std::vector<Token>& tokens() {
  static const std::vector<Token> kTokens = {
      {"a", "a", "a"},
      {"Z", "Z", "Z"},
      {"/", "/", "/"},
      {"{", "{", "{"},
      {"\\", "\\\\", "\\\\"},
      {"\"", "\\\"", "\\\""},
      {"\n", "\\n", "\\n"},
      {"\t", "\t", "\\t"},
      {"\x01", "\x01", "\\u0001"},
      {"\x7f", "\x7f", "\x7f"},
      {"\xC3\xA9", "\xC3\xA9", "\xC3\xA9"},                          // é
      {"\xE2\x9C\x93", "\xE2\x9C\x93", "\xE2\x9C\x93"},              // ✓
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},  // 😀
      {"\xFF", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},                      // invalid: U+FFFD
  };
  return kTokens;
}

struct Case {
  std::string raw;
  std::string text;
  std::string json;
};

// Mostly plain characters, so long plain runs (the word path) occur too.
Case random_case(std::mt19937& rng, std::size_t length) {
  std::uniform_int_distribution<std::size_t> pick(0, tokens().size() - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  Case c;
  while (c.raw.size() < length) {
    const Token& token = percent(rng) < 80 ? tokens()[percent(rng) % 4] : tokens()[pick(rng)];
    c.raw += token.raw;
    c.text += token.text;
    c.json += token.json;
  }
  return c;
}

Exposition one_label(const std::string& value) {
  Snapshot snapshot;
  Series series;
  series.labels = {{"v", value}};
  snapshot.families.push_back({"m", "", MetricType::kGauge, {series}});
  return make_exposition({std::make_shared<const Snapshot>(std::move(snapshot))});
}

TEST(EncoderEscape, LabelValuesMatchTheReference) {
  std::mt19937 rng(20240611);
  for (std::size_t length = 0; length <= 40; ++length) {
    for (int round = 0; round < 200; ++round) {
      const Case c = random_case(rng, length);
      std::string out;
      encode_prometheus(one_label(c.raw), out);
      ASSERT_EQ(out, "# TYPE m gauge\nm{v=\"" + c.text + "\"} 0\n") << "raw: " << c.raw;
    }
  }
}

TEST(EncoderEscape, JsonStringsMatchTheReference) {
  std::mt19937 rng(7);
  for (std::size_t length = 0; length <= 40; ++length) {
    for (int round = 0; round < 200; ++round) {
      const Case c = random_case(rng, length);
      std::string out;
      encode_json(one_label(c.raw), out);
      ASSERT_NE(out.find("\"labels\":{\"v\":\"" + c.json + "\"}"), std::string::npos)
          << "raw: " << c.raw << "\nout: " << out;
      ASSERT_TRUE(nlohmann::json::accept(out)) << out;
    }
  }
}

TEST(EncoderEscape, PlainValuesOfEveryLengthAreCopied) {
  std::string value;
  for (int length = 0; length <= 64; ++length) {
    std::string out;
    encode_prometheus(one_label(value), out);
    EXPECT_EQ(out, "# TYPE m gauge\nm{v=\"" + value + "\"} 0\n");
    value += static_cast<char>('a' + length % 26);
  }
}

}  // namespace
}  // namespace observo::metrics

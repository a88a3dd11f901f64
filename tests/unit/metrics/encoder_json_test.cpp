#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "encoder_test_fixture.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

using nlohmann::json;

json encode_and_parse(const Exposition& exposition) {
  std::string out;
  encode_json(exposition, out);
  EXPECT_TRUE(json::accept(out)) << out;
  return json::parse(out);
}

const json* find_family(const json& document, const std::string& name) {
  for (const json& family : document.at("families")) {
    if (family.at("name") == name) return &family;
  }
  return nullptr;
}

const json* find_sample(const json& family, const std::string& name, const json& labels) {
  for (const json& sample : family.at("samples")) {
    if (sample.at("name") == name && sample.at("labels") == labels) return &sample;
  }
  return nullptr;
}

Exposition single(Family family) {
  Snapshot snapshot;
  snapshot.families.push_back(std::move(family));
  return make_exposition({std::make_shared<const Snapshot>(std::move(snapshot))});
}

TEST(EncoderJson, FixtureParsesAndFollowsTheSchema) {
  const json document = encode_and_parse(testing::make_encoder_fixture());
  ASSERT_TRUE(document.is_object());
  ASSERT_EQ(document.size(), 1u);
  const json& families = document.at("families");
  ASSERT_TRUE(families.is_array());
  ASSERT_EQ(families.size(), 8u);
  std::string previous;
  for (const json& family : families) {
    EXPECT_EQ(family.size(), 4u);
    EXPECT_TRUE(family.at("name").is_string());
    EXPECT_TRUE(family.at("help").is_string());
    EXPECT_TRUE(family.at("type").is_string());
    EXPECT_LT(previous, family.at("name").get<std::string>()) << "families sorted by name";
    previous = family.at("name");
    for (const json& sample : family.at("samples")) {
      EXPECT_EQ(sample.size(), 3u);
      EXPECT_TRUE(sample.at("name").is_string());
      EXPECT_TRUE(sample.at("labels").is_object());
      EXPECT_TRUE(sample.at("value").is_number() || sample.at("value").is_string());
    }
  }
}

TEST(EncoderJson, CountersMergeAcrossSnapshotsUnderTheFirstHelp) {
  const json document = encode_and_parse(testing::make_encoder_fixture());
  const json* requests = find_family(document, "http_requests_total");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->at("type"), "counter");
  EXPECT_EQ(requests->at("help"), "Requests served.\nCounted per \"code\" in C:\\logs.");
  ASSERT_EQ(requests->at("samples").size(), 3u);
  const json* not_found =
      find_sample(*requests, "http_requests_total", {{"code", "404"}, {"method", "GET"}});
  ASSERT_NE(not_found, nullptr);
  EXPECT_EQ(not_found->at("value"), 7);
}

TEST(EncoderJson, NumbersAndNonFiniteValues) {
  const json document = encode_and_parse(testing::make_encoder_fixture());
  const json* temperature = find_family(document, "temperature_celsius");
  ASSERT_NE(temperature, nullptr);
  auto value = [&](const std::string& sensor) {
    const json* sample = find_sample(*temperature, "temperature_celsius", {{"sensor", sensor}});
    return sample != nullptr ? sample->at("value") : json();
  };
  EXPECT_EQ(value("nan"), "NaN");
  EXPECT_EQ(value("pos_inf"), "+Inf");
  EXPECT_EQ(value("neg_inf"), "-Inf");
  EXPECT_EQ(value("tenth").get<double>(), 0.1);
  EXPECT_EQ(value("tiny").get<double>(), 1e-300);
  EXPECT_EQ(value("two_pow_53").get<std::uint64_t>(), 9007199254740992u);
  EXPECT_EQ(value("negative").get<double>(), -273.15);
}

TEST(EncoderJson, HistogramExpandsIntoSampleLines) {
  const json document = encode_and_parse(testing::make_encoder_fixture());
  const json* histogram = find_family(document, "request_duration_seconds");
  ASSERT_NE(histogram, nullptr);
  EXPECT_EQ(histogram->at("type"), "histogram");
  ASSERT_EQ(histogram->at("samples").size(), 14u);  // 2 series x (4 buckets + Inf + sum + count)
  const json& samples = histogram->at("samples");
  EXPECT_EQ(samples[0], json::parse(R"({"name":"request_duration_seconds_bucket",)"
                                    R"("labels":{"handler":"/api","le":"0.005"},"value":1})"));
  EXPECT_EQ(samples[4].at("labels").at("le"), "+Inf");
  EXPECT_EQ(samples[4].at("value"), 10);
  EXPECT_EQ(samples[5].at("name"), "request_duration_seconds_sum");
  EXPECT_EQ(samples[5].at("value"), 4.25);
  EXPECT_EQ(samples[6].at("name"), "request_duration_seconds_count");
  EXPECT_EQ(samples[6].at("labels"), json::parse(R"({"handler":"/api"})"));
}

TEST(EncoderJson, SummaryExpandsIntoQuantiles) {
  const json document = encode_and_parse(testing::make_encoder_fixture());
  const json* summary = find_family(document, "rpc_latency_seconds");
  ASSERT_NE(summary, nullptr);
  const json* median =
      find_sample(*summary, "rpc_latency_seconds", {{"quantile", "0.5"}, {"service", "auth"}});
  ASSERT_NE(median, nullptr);
  EXPECT_EQ(median->at("value"), 0.012);
  EXPECT_NE(find_sample(*summary, "rpc_latency_seconds_count", {{"service", "auth"}}), nullptr);
}

TEST(EncoderJson, StringsAreEscaped) {
  const json document = encode_and_parse(testing::make_encoder_fixture());
  const json* escape = find_family(document, "escape_test_info");
  ASSERT_NE(escape, nullptr);
  const json& labels = escape->at("samples").at(0).at("labels");
  EXPECT_EQ(labels.at("path"), "C:\\dir\\file");
  EXPECT_EQ(labels.at("quote"), "say \"hi\", then go");
  EXPECT_EQ(labels.at("newline"), "line1\nline2");
  EXPECT_EQ(labels.at("utf8"),
            "Gr\xC3\xBC\xC3\x9F"
            "e \xE2\x9C\x93");
  EXPECT_EQ(labels.at("invalid"),
            "bad\xEF\xBF\xBD"
            "byte");  // U+FFFD replaces the bad byte
}

TEST(EncoderJson, ControlCharactersUseUnicodeEscapes) {
  Family family{"control_chars", "tab\there", MetricType::kGauge, {}};
  Series series;
  series.labels = {{"v", std::string("a\x01z\x1f\r\n\"\\\0", 9)}};
  family.series.push_back(series);
  std::string out;
  encode_json(single(family), out);
  EXPECT_NE(out.find(R"("v":"a\u0001z\u001f\r\n\"\\\u0000")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("help":"tab\there")"), std::string::npos) << out;
  const json document = json::parse(out);
  EXPECT_EQ(document["families"][0]["samples"][0]["labels"]["v"],
            std::string("a\x01z\x1f\r\n\"\\\0", 9));
}

TEST(EncoderJson, EmptyExposition) {
  std::string out;
  encode_json(make_exposition({}), out);
  EXPECT_EQ(out, "{\"families\":[]}\n");
}

TEST(EncoderJson, InvalidUtf8NeverBreaksTheDocument) {
  const std::string nasty[] = {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82",
                               "\x80",     "\xF0\x9F\x98", "\xFE\xFF"};
  for (const std::string& value : nasty) {
    Family family{"bad_utf8", "", MetricType::kGauge, {}};
    Series series;
    series.labels = {{"v", value}};
    family.series.push_back(series);
    std::string out;
    encode_json(single(family), out);
    EXPECT_TRUE(json::accept(out)) << out;
  }
}

}  // namespace
}  // namespace observo::metrics

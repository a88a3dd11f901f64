#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "encoder_test_fixture.h"
#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

using Row = std::vector<std::string>;

// A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes.
std::vector<Row> parse_csv(const std::string& text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(field.empty()) << "quote inside an unquoted field at " << i;
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r') {
      EXPECT_EQ(text[i + 1], '\n') << "bare CR at " << i;
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "bare LF at " << i;
      field += c;
    }
  }
  EXPECT_FALSE(quoted);
  EXPECT_TRUE(field.empty() && row.empty()) << "last record without CRLF";
  return rows;
}

Exposition single(Family family) {
  Snapshot snapshot;
  snapshot.families.push_back(std::move(family));
  return make_exposition({std::make_shared<const Snapshot>(std::move(snapshot))});
}

TEST(EncoderCsv, HeaderIsTheUnionOfLabelNamesSorted) {
  std::string out;
  encode_csv(testing::make_encoder_fixture(), out);
  const auto rows = parse_csv(out);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0],
            (Row{"metric", "type", "code", "handler", "invalid", "le", "method", "newline", "path",
                 "quantile", "queue", "quote", "sensor", "service", "utf8", "value"}));
  for (const Row& row : rows) EXPECT_EQ(row.size(), rows[0].size());
}

TEST(EncoderCsv, QuotesFieldsThatNeedIt) {
  std::string out;
  encode_csv(testing::make_encoder_fixture(), out);
  EXPECT_NE(out.find(",\"line1\nline2\","), std::string::npos);
  EXPECT_NE(out.find(",\"say \"\"hi\"\", then go\","), std::string::npos);
  EXPECT_NE(out.find(",C:\\dir\\file,"), std::string::npos);  // no quotes needed
  const auto rows = parse_csv(out);
  bool found = false;
  for (const Row& row : rows) {
    if (row[0] != "escape_test_info") continue;
    found = true;
    EXPECT_EQ(row[1], "gauge");
    EXPECT_EQ(row[7], "line1\nline2");
    EXPECT_EQ(row[11], "say \"hi\", then go");
    EXPECT_EQ(row[2], "");  // no code label: empty cell
    EXPECT_EQ(row.back(), "1");
  }
  EXPECT_TRUE(found);
}

TEST(EncoderCsv, CarriageReturnIsQuoted) {
  Family family{"cr", "", MetricType::kGauge, {}};
  Series series;
  series.labels = {{"a", "x\ry"}, {"b", "plain"}, {"c", ""}};
  series.value = 0.5;
  family.series.push_back(series);
  std::string out;
  encode_csv(single(family), out);
  EXPECT_EQ(out, "metric,type,a,b,c,value\r\ncr,gauge,\"x\ry\",plain,,0.5\r\n");
}

TEST(EncoderCsv, HistogramRowsCarryLe) {
  std::string out;
  encode_csv(testing::make_encoder_fixture(), out);
  EXPECT_NE(out.find("request_duration_seconds_bucket,histogram,,/api,,0.005,,,,,,,,,,1\r\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("request_duration_seconds_bucket,histogram,,/api,,+Inf,,,,,,,,,,10\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("request_duration_seconds_sum,histogram,,/api,,,,,,,,,,,,4.25\r\n"),
            std::string::npos);
}

TEST(EncoderCsv, EmptyExpositionHasOnlyTheHeader) {
  std::string out;
  encode_csv(make_exposition({}), out);
  EXPECT_EQ(out, "metric,type,value\r\n");
}

TEST(EncoderCsv, LabelNamesDifferingBetweenSeries) {
  Family family{"mixed", "", MetricType::kGauge, {}};
  Series a;
  a.labels = {{"x", "1"}};
  Series b;
  b.labels = {{"y", "2"}};
  Series c;
  c.labels = {{"x", "3"}, {"z", "4"}};
  family.series = {a, b, c};
  std::string out;
  encode_csv(single(family), out);
  EXPECT_EQ(out,
            "metric,type,x,y,z,value\r\n"
            "mixed,gauge,1,,,0\r\n"
            "mixed,gauge,,2,,0\r\n"
            "mixed,gauge,3,,4,0\r\n");
}

}  // namespace
}  // namespace observo::metrics

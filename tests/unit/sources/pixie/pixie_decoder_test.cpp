// The ExecuteScript stream decoder and the cell formats: every malformed stream is an error
// naming the problem, never a crash; UUIDs, RFC 3339 nanoseconds, invalid UTF-8, floats.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <locale>

#include "sources/pixie/cells.h"
#include "sources/pixie/decoder.h"
#include "sources/pixie/writers.h"

namespace observo::pixie {
namespace {

vizierpb::ExecuteScriptResponse meta(const std::string& id) {
  vizierpb::ExecuteScriptResponse r;
  r.set_query_id("q");
  r.mutable_meta_data()->set_id(id);
  r.mutable_meta_data()->set_name("t");
  auto* c = r.mutable_meta_data()->mutable_relation()->add_columns();
  c->set_column_name("n");
  c->set_column_type(vizierpb::INT64);
  return r;
}

vizierpb::ExecuteScriptResponse batch(const std::string& id, std::vector<std::int64_t> values,
                                      bool eos, std::int64_t rows = -1) {
  vizierpb::ExecuteScriptResponse r;
  auto* b = r.mutable_data()->mutable_batch();
  b->set_table_id(id);
  b->set_num_rows(rows >= 0 ? rows : static_cast<std::int64_t>(values.size()));
  b->set_eos(eos);
  auto* col = b->add_cols()->mutable_int64_data();
  for (auto v : values) col->add_data(v);
  return r;
}

struct Decoded {
  std::string csv;
  Failure failure;
};

Decoded decode(const std::vector<vizierpb::ExecuteScriptResponse>& stream) {
  Decoded out;
  CsvWriter writer(
      [&out](std::string_view t) -> Result<void> {
        out.csv.append(t);
        return {};
      },
      TimeFormat::kRfc3339);
  ResponseDecoder decoder(writer);
  bool ok = true;
  for (const auto& r : stream) {
    if (!decoder.feed(r)) {
      ok = false;
      break;
    }
  }
  if (ok) decoder.finish();
  out.failure = decoder.failure();
  return out;
}

TEST(PixieDecoder, ReadsBatchesUntilEndOfStream) {
  const auto d = decode({meta("a"), batch("a", {1, 2}, false), batch("a", {3}, true)});
  EXPECT_EQ(d.failure.kind, FailureKind::kNone) << d.failure.message;
  EXPECT_EQ(d.csv, "n\n1\n2\n3\n");
}

TEST(PixieDecoder, MalformedStreamsAreErrors) {
  EXPECT_EQ(decode({meta("a"), batch("b", {1}, true)}).failure.message,
            "batch for unknown table id 'b'");
  EXPECT_EQ(decode({meta("a"), batch("a", {1}, true), batch("a", {2}, false)}).failure.message,
            "data after end of stream for table 't'");
  EXPECT_EQ(decode({meta("a"), batch("a", {1, 2}, true, 3)}).failure.message,
            "column 'n' of table 't' has 2 values for num_rows 3");
  EXPECT_EQ(decode({meta("a"), batch("a", {1}, false)}).failure.message,
            "the stream closed before the end of table 't'");
  EXPECT_EQ(decode({meta("a"), meta("a")}).failure.message, "metadata for table 't' sent twice");
  auto wrong_type = batch("a", {}, true, 1);
  wrong_type.mutable_data()->mutable_batch()->mutable_cols(0)->mutable_string_data()->add_data("x");
  EXPECT_EQ(decode({meta("a"), wrong_type}).failure.message,
            "column 'n' of table 't' does not hold its declared type");
  vizierpb::ExecuteScriptResponse encrypted;
  encrypted.mutable_data()->set_encrypted_batch("jwe");
  EXPECT_EQ(decode({encrypted}).failure.kind, FailureKind::kProtocol);
}

TEST(PixieDecoder, StatusesBecomeFailures) {
  vizierpb::ExecuteScriptResponse r;
  r.mutable_status()->set_code(3);
  r.mutable_status()->set_message("bad arg");
  auto failure = decode({r}).failure;
  EXPECT_EQ(failure.kind, FailureKind::kInvalidArgument);
  EXPECT_EQ(failure.message, "query failed with status 3: bad arg");
  auto* e = r.mutable_status()->add_error_details()->mutable_compiler_error();
  e->set_line(2);
  e->set_column(7);
  e->set_message("oops");
  failure = decode({r}).failure;
  EXPECT_EQ(failure.kind, FailureKind::kCompile);
  EXPECT_EQ(failure.message, "compile error: 2:7: oops");
  r.mutable_status()->set_code(13);
  r.mutable_status()->clear_error_details();
  EXPECT_EQ(decode({r}).failure.kind, FailureKind::kStatus);
}

TEST(PixieCells, Formats) {
  EXPECT_EQ(uuid_text(0x0011223344556677ULL, 0x8899aabbccddeeffULL),
            "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(rfc3339_nanos(1700000000123456789), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(rfc3339_nanos(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(sanitize_utf8("ok \xC3\xA9 \xFF\xC3 \xF0\x9F\x98\x80"),
            "ok \xC3\xA9 \\xFF\\xC3 \xF0\x9F\x98\x80");
  EXPECT_EQ(sanitize_utf8("\xC0\xAF"), "\\xC0\\xAF");  // overlong
  EXPECT_EQ(float_text(0.1), "0.1");
  EXPECT_EQ(float_text(1e21), "1e+21");
  std::string json;
  append_json_string(json, "a\"b\\c\n\x01");
  EXPECT_EQ(json, "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("plain"), "plain");
}

struct CommaNumpunct : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
};

TEST(PixieCells, FloatsIgnoreTheLocale) {
  const std::locale saved;
  std::locale::global(std::locale(std::locale::classic(), new CommaNumpunct));
  EXPECT_EQ(float_text(12.5), "12.5");
  std::string json;
  CsvWriter writer(
      [&json](std::string_view t) -> Result<void> {
        json.append(t);
        return {};
      },
      TimeFormat::kRfc3339);
  EXPECT_EQ(float_text(-0.001), "-0.001");
  std::locale::global(saved);
}

}  // namespace
}  // namespace observo::pixie

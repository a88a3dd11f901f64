#include <gtest/gtest.h>

#include <string>

#include "observo/metrics/encoder.h"

namespace observo::metrics {
namespace {

struct NegotiationCase {
  const char* accept;
  Format expected;
};

class EncoderNegotiation : public ::testing::TestWithParam<NegotiationCase> {};

TEST_P(EncoderNegotiation, PicksTheFormat) {
  EXPECT_EQ(format_name(negotiate(GetParam().accept)), format_name(GetParam().expected))
      << "Accept: " << GetParam().accept;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EncoderNegotiation,
    ::testing::Values(
        // What Prometheus 2.x sends.
        NegotiationCase{"application/openmetrics-text;version=1.0.0,application/"
                        "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/"
                        "*;q=0.1",
                        Format::kOpenMetrics},
        // Prometheus 2.54 with scrape_protocols, and Prometheus 3 (which adds text 1.0.0).
        NegotiationCase{"application/openmetrics-text;version=1.0.0;q=0.5,application/"
                        "openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/"
                        "*;q=0.2",
                        Format::kOpenMetrics},
        NegotiationCase{"text/plain;version=1.0.0;escaping=allow-utf-8;q=0.6,text/"
                        "plain;version=0.0.4;q=0.4,*/*;q=0.1",
                        Format::kPrometheus},
        NegotiationCase{"", Format::kPrometheus}, NegotiationCase{"   ", Format::kPrometheus},
        NegotiationCase{"*/*", Format::kPrometheus}, NegotiationCase{"text/*", Format::kPrometheus},
        NegotiationCase{"text/plain", Format::kPrometheus},
        NegotiationCase{"text/plain; version=0.0.4", Format::kPrometheus},
        NegotiationCase{"application/openmetrics-text", Format::kOpenMetrics},
        NegotiationCase{"application/openmetrics-text; version=0.0.1", Format::kOpenMetrics},
        NegotiationCase{"Application/OpenMetrics-Text; Version=\"1.0.0\"", Format::kOpenMetrics},
        NegotiationCase{"application/json", Format::kJson},
        NegotiationCase{"application/json; charset=utf-8", Format::kJson},
        NegotiationCase{"text/csv", Format::kCsv},
        // Unknown or unsupported: Prometheus text.
        NegotiationCase{"image/png", Format::kPrometheus},
        NegotiationCase{"application/openmetrics-text;version=2.0.0", Format::kPrometheus},
        NegotiationCase{"garbage", Format::kPrometheus},
        NegotiationCase{",,;;", Format::kPrometheus},
        // Quality values.
        NegotiationCase{"text/csv;q=0.5, application/json;q=0.9", Format::kJson},
        NegotiationCase{"application/json;q=0.2, */*;q=0.8", Format::kPrometheus},
        NegotiationCase{"text/csv;q=0, */*;q=0.1", Format::kPrometheus},
        NegotiationCase{"application/json;q=0", Format::kPrometheus},
        NegotiationCase{"application/json;q=0.000, text/csv;q=0.001", Format::kCsv},
        NegotiationCase{"application/json;q=1.0, text/csv;q=1.000", Format::kJson},
        // Ties go to the range listed first.
        NegotiationCase{"text/csv, application/json", Format::kCsv},
        NegotiationCase{"application/json;q=0.5, text/csv;q=0.5", Format::kJson},
        NegotiationCase{"text/csv;q=0.5,application/openmetrics-text;q=0.5", Format::kCsv},
        // A more specific range overrides a wildcard for that type.
        NegotiationCase{"text/plain;q=0, text/csv;q=0.1, */*", Format::kCsv},
        NegotiationCase{"text/plain;q=0, text/*;q=1, application/json;q=0.5", Format::kJson},
        // Invalid q-values make their range unusable.
        NegotiationCase{"application/json;q=2, text/csv;q=0.1", Format::kCsv},
        NegotiationCase{"application/json;q=abc, text/csv;q=0.1", Format::kCsv},
        NegotiationCase{"application/json;q=0.5000, text/csv;q=0.1", Format::kCsv},
        // A comma inside a quoted parameter value does not split the list.
        NegotiationCase{"application/json;foo=\"a,text/csv\";q=0.9, text/csv;q=0.8",
                        Format::kJson}));

TEST(EncoderFormat, ParseFormat) {
  EXPECT_EQ(parse_format("prometheus"), Format::kPrometheus);
  EXPECT_EQ(parse_format("text"), Format::kPrometheus);
  EXPECT_EQ(parse_format("openmetrics"), Format::kOpenMetrics);
  EXPECT_EQ(parse_format("json"), Format::kJson);
  EXPECT_EQ(parse_format("csv"), Format::kCsv);
  EXPECT_EQ(parse_format("JSON"), Format::kJson);
  EXPECT_EQ(parse_format("xml"), std::nullopt);
  EXPECT_EQ(parse_format(""), std::nullopt);
}

TEST(EncoderFormat, NamesRoundTrip) {
  for (Format format : {Format::kPrometheus, Format::kOpenMetrics, Format::kJson, Format::kCsv}) {
    EXPECT_EQ(parse_format(format_name(format)), format);
  }
}

TEST(EncoderFormat, ContentTypes) {
  EXPECT_EQ(content_type(Format::kPrometheus), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(content_type(Format::kOpenMetrics),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(content_type(Format::kJson), "application/json");
  EXPECT_EQ(content_type(Format::kCsv), "text/csv; charset=utf-8");
}

struct GzipCase {
  const char* accept_encoding;
  bool expected;
};

class EncoderAcceptsGzip : public ::testing::TestWithParam<GzipCase> {};

TEST_P(EncoderAcceptsGzip, ReadsAcceptEncoding) {
  EXPECT_EQ(accepts_gzip(GetParam().accept_encoding), GetParam().expected)
      << "Accept-Encoding: " << GetParam().accept_encoding;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EncoderAcceptsGzip,
    ::testing::Values(GzipCase{"gzip", true},  //
                      GzipCase{"", false},     //
                      GzipCase{"identity", false}, GzipCase{"deflate, gzip;q=1.0, *;q=0.5", true},
                      GzipCase{"GZIP", true},  //
                      GzipCase{"x-gzip", true}, GzipCase{"gzip;q=0", false},
                      GzipCase{"gzip; q=0.000", false}, GzipCase{"*", true},  //
                      GzipCase{"*;q=0", false}, GzipCase{"gzip;q=0, *", false},
                      GzipCase{"*;q=0, gzip;q=0.1", true}, GzipCase{"br, deflate", false},
                      GzipCase{"gzipx", false}, GzipCase{"gzip;q=bad", false},
                      GzipCase{" br ,  gzip ; q=0.8 ", true}));

}  // namespace
}  // namespace observo::metrics

// The OTLP/JSON decoder: every field of the metrics and trace messages (compared whole against
// the same request written in protobuf text format), snake_case keys, each class of error with
// the JSON path it names, the nesting limits, and the body the OpenTelemetry JS HTTP exporter
// sends with JSON content.
#include <cmath>
#include <string>

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sources/beyla/otlp_json.h"

namespace observo::beyla {
namespace {

// Every metric type and every field of the metrics messages.
constexpr const char* kMetricsJson = R"({
  "resourceMetrics": [{
    "resource": {
      "attributes": [
        {"key": "service.name", "value": {"stringValue": "checkout"}},
        {"key": "pid", "value": {"intValue": "1234"}},
        {"key": "ratio", "value": {"doubleValue": 0.5}},
        {"key": "debug", "value": {"boolValue": true}},
        {"key": "blob", "value": {"bytesValue": "AQID/w=="}},
        {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": 7}]}}},
        {"key": "nested", "value": {"kvlistValue": {"values": [
          {"key": "k", "value": {"stringValue": "v"}}]}}},
        {"key": "empty"},
        {"key": "strindexed", "keyStrindex": 4, "value": {"stringValueStrindex": 3}}
      ],
      "droppedAttributesCount": 2,
      "entityRefs": [{"schemaUrl": "https://e", "type": "service", "idKeys": ["service.name"],
                      "descriptionKeys": ["a", "b"]}]
    },
    "scopeMetrics": [{
      "scope": {"name": "shop", "version": "1.2.0",
                "attributes": [{"key": "s", "value": {"stringValue": "x"}}],
                "droppedAttributesCount": 1},
      "metrics": [
        {"name": "orders", "description": "Orders taken", "unit": "{order}",
         "metadata": [{"key": "m", "value": {"stringValue": "1"}}],
         "sum": {"aggregationTemporality": 2, "isMonotonic": true, "dataPoints": [
           {"attributes": [{"key": "method", "value": {"stringValue": "GET"}}],
            "startTimeUnixNano": "1700000000000000000", "timeUnixNano": "1700000001000000000",
            "asInt": "7", "flags": 0,
            "exemplars": [{"filteredAttributes": [{"key": "user", "value": {"stringValue": "u1"}}],
                           "timeUnixNano": "1700000000500000000", "asInt": 3,
                           "spanId": "eee19b7ec3c1b174",
                           "traceId": "5b8efff798038103d269b633813fc60c"}]}]}},
        {"name": "queue", "unit": "1",
         "sum": {"aggregationTemporality": "AGGREGATION_TEMPORALITY_DELTA", "isMonotonic": false,
                 "dataPoints": [{"timeUnixNano": 1700000001000000000, "asDouble": -2.5}]}},
        {"name": "temp", "unit": "Cel",
         "gauge": {"dataPoints": [{"timeUnixNano": "1700000001000000000", "asDouble": 42.5,
                                   "exemplars": [{"asDouble": "Infinity"}]}]}},
        {"name": "latency", "unit": "s",
         "histogram": {"aggregationTemporality": 2, "dataPoints": [
           {"startTimeUnixNano": "1", "timeUnixNano": "2", "count": "3", "sum": 3.3,
            "bucketCounts": ["2", 0, "1", "0"], "explicitBounds": [0.25, 1, 5],
            "min": 0.1, "max": 3, "flags": 1}]}},
        {"name": "size", "unit": "By",
         "exponentialHistogram": {"aggregationTemporality": 1, "dataPoints": [
           {"startTimeUnixNano": "4", "timeUnixNano": "5", "count": "6", "sum": 100, "scale": -2,
            "zeroCount": "1", "zeroThreshold": 0.001,
            "positive": {"offset": -3, "bucketCounts": ["1", "2"]},
            "negative": {"offset": 2, "bucketCounts": [2]},
            "min": -8, "max": 40, "flags": 0,
            "attributes": [{"key": "dir", "value": {"stringValue": "in"}}],
            "exemplars": [{"asInt": "-9"}]}]}},
        {"name": "rpc", "unit": "ms",
         "summary": {"dataPoints": [
           {"attributes": [{"key": "q", "value": {"stringValue": "1"}}],
            "startTimeUnixNano": "8", "timeUnixNano": "9", "count": "10", "sum": 55.5, "flags": 1,
            "quantileValues": [{"quantile": 0.5, "value": 4}, {"quantile": 0.99, "value": "NaN"}]}]}}
      ],
      "schemaUrl": "https://opentelemetry.io/schemas/1.24.0"
    }],
    "schemaUrl": "https://opentelemetry.io/schemas/1.25.0"
  }],
  "someFutureField": {"anything": [1, {"deep": true}]}
})";

constexpr const char* kMetricsText = R"pb(
  resource_metrics {
    resource {
      attributes {
        key: "service.name"
        value { string_value: "checkout" }
      }
      attributes {
        key: "pid"
        value { int_value: 1234 }
      }
      attributes {
        key: "ratio"
        value { double_value: 0.5 }
      }
      attributes {
        key: "debug"
        value { bool_value: true }
      }
      attributes {
        key: "blob"
        value { bytes_value: "\x01\x02\x03\xff" }
      }
      attributes {
        key: "tags"
        value {
          array_value {
            values { string_value: "a" }
            values { int_value: 7 }
          }
        }
      }
      attributes {
        key: "nested"
        value {
          kvlist_value {
            values {
              key: "k"
              value { string_value: "v" }
            }
          }
        }
      }
      attributes { key: "empty" }
      attributes {
        key: "strindexed"
        key_strindex: 4
        value { string_value_strindex: 3 }
      }
      dropped_attributes_count: 2
      entity_refs {
        schema_url: "https://e"
        type: "service"
        id_keys: "service.name"
        description_keys: [ "a", "b" ]
      }
    }
    scope_metrics {
      scope {
        name: "shop"
        version: "1.2.0"
        attributes {
          key: "s"
          value { string_value: "x" }
        }
        dropped_attributes_count: 1
      }
      metrics {
        name: "orders"
        description: "Orders taken"
        unit: "{order}"
        metadata {
          key: "m"
          value { string_value: "1" }
        }
        sum {
          aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
          is_monotonic: true
          data_points {
            attributes {
              key: "method"
              value { string_value: "GET" }
            }
            start_time_unix_nano: 1700000000000000000
            time_unix_nano: 1700000001000000000
            as_int: 7
            exemplars {
              filtered_attributes {
                key: "user"
                value { string_value: "u1" }
              }
              time_unix_nano: 1700000000500000000
              as_int: 3
              span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
              trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
            }
          }
        }
      }
      metrics {
        name: "queue"
        unit: "1"
        sum {
          aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA
          data_points { time_unix_nano: 1700000001000000000 as_double: -2.5 }
        }
      }
      metrics {
        name: "temp"
        unit: "Cel"
        gauge {
          data_points {
            time_unix_nano: 1700000001000000000
            as_double: 42.5
            exemplars { as_double: inf }
          }
        }
      }
      metrics {
        name: "latency"
        unit: "s"
        histogram {
          aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
          data_points {
            start_time_unix_nano: 1
            time_unix_nano: 2
            count: 3
            sum: 3.3
            bucket_counts: [ 2, 0, 1, 0 ]
            explicit_bounds: [ 0.25, 1, 5 ]
            min: 0.1
            max: 3
            flags: 1
          }
        }
      }
      metrics {
        name: "size"
        unit: "By"
        exponential_histogram {
          aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA
          data_points {
            attributes {
              key: "dir"
              value { string_value: "in" }
            }
            start_time_unix_nano: 4
            time_unix_nano: 5
            count: 6
            sum: 100
            scale: -2
            zero_count: 1
            zero_threshold: 0.001
            positive {
              offset: -3
              bucket_counts: [ 1, 2 ]
            }
            negative {
              offset: 2
              bucket_counts: [ 2 ]
            }
            min: -8
            max: 40
            exemplars { as_int: -9 }
          }
        }
      }
      metrics {
        name: "rpc"
        unit: "ms"
        summary {
          data_points {
            attributes {
              key: "q"
              value { string_value: "1" }
            }
            start_time_unix_nano: 8
            time_unix_nano: 9
            count: 10
            sum: 55.5
            flags: 1
            quantile_values { quantile: 0.5 value: 4 }
            quantile_values { quantile: 0.99 value: nan }
          }
        }
      }
      schema_url: "https://opentelemetry.io/schemas/1.24.0"
    }
    schema_url: "https://opentelemetry.io/schemas/1.25.0"
  }
)pb";

// Two spans with every field of Span, Event, Link and Status between them.
constexpr const char* kTracesJson = R"({
  "resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]},
    "scopeSpans": [{
      "scope": {"name": "tracer", "version": "0.1"},
      "spans": [
        {"traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "eee19b7ec3c1b174",
         "parentSpanId": "", "traceState": "k=v", "flags": 257, "name": "GET /orders", "kind": 2,
         "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000100000000",
         "attributes": [{"key": "http.response.status_code", "value": {"intValue": "200"}}],
         "droppedAttributesCount": 1,
         "events": [{"timeUnixNano": "1700000000050000000", "name": "cache miss",
                     "attributes": [{"key": "k", "value": {"stringValue": "v"}}],
                     "droppedAttributesCount": 3}],
         "droppedEventsCount": 4,
         "links": [{"traceId": "00000000000000000000000000000001", "spanId": "0000000000000002",
                    "traceState": "a=b", "attributes": [{"key": "l", "value": {"boolValue": false}}],
                    "droppedAttributesCount": 5, "flags": 256}],
         "droppedLinksCount": 6,
         "status": {"message": "fine", "code": 1}},
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b175",
         "parentSpanId": "eee19b7ec3c1b174", "name": "SELECT", "kind": "SPAN_KIND_CLIENT",
         "startTimeUnixNano": 1700000000010000000, "endTimeUnixNano": 1700000000020000000,
         "status": {"code": "STATUS_CODE_ERROR", "message": "timeout"}}
      ],
      "schemaUrl": "s1"
    }],
    "schemaUrl": "s2"
  }]
})";

constexpr const char* kTracesText = R"pb(
  resource_spans {
    resource {
      attributes {
        key: "service.name"
        value { string_value: "checkout" }
      }
    }
    scope_spans {
      scope { name: "tracer" version: "0.1" }
      spans {
        trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
        span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
        trace_state: "k=v"
        flags: 257
        name: "GET /orders"
        kind: SPAN_KIND_SERVER
        start_time_unix_nano: 1700000000000000000
        end_time_unix_nano: 1700000000100000000
        attributes {
          key: "http.response.status_code"
          value { int_value: 200 }
        }
        dropped_attributes_count: 1
        events {
          time_unix_nano: 1700000000050000000
          name: "cache miss"
          attributes {
            key: "k"
            value { string_value: "v" }
          }
          dropped_attributes_count: 3
        }
        dropped_events_count: 4
        links {
          trace_id: "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"
          span_id: "\0\0\0\0\0\0\0\x02"
          trace_state: "a=b"
          attributes {
            key: "l"
            value { bool_value: false }
          }
          dropped_attributes_count: 5
          flags: 256
        }
        dropped_links_count: 6
        status { message: "fine" code: STATUS_CODE_OK }
      }
      spans {
        trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
        span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x75"
        parent_span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
        name: "SELECT"
        kind: SPAN_KIND_CLIENT
        start_time_unix_nano: 1700000000010000000
        end_time_unix_nano: 1700000000020000000
        status { message: "timeout" code: STATUS_CODE_ERROR }
      }
      schema_url: "s1"
    }
    schema_url: "s2"
  }
)pb";

template <typename Message>
Message from_text(const char* text) {
  Message m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m));
  return m;
}

// Exact equality of two messages (field presence included; NaN equals NaN), with the
// differences as the failure message.
template <typename Message>
void expect_same(const Message& actual, const Message& expected) {
  google::protobuf::util::MessageDifferencer differ;
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  differ.set_field_comparator(&comparator);
  std::string diff;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(actual, expected)) << diff;
}

// Renames every object key of a JSON document from lowerCamelCase to snake_case.
nlohmann::json to_snake_case(const nlohmann::json& v) {
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : v) out.push_back(to_snake_case(e));
    return out;
  }
  if (!v.is_object()) return v;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : v.items()) {
    std::string snake;
    for (const char c : key) {
      if (c >= 'A' && c <= 'Z') {
        snake += '_';
        snake += static_cast<char>(c - 'A' + 'a');
      } else {
        snake += c;
      }
    }
    out[snake] = to_snake_case(value);
  }
  return out;
}

std::string metrics_error(const std::string& json) {
  ExportMetricsServiceRequest request;
  const auto result = decode_metrics_json(json, request);
  EXPECT_FALSE(result.ok()) << json;
  EXPECT_EQ(request.resource_metrics_size(), 0) << "a failed decode leaves the request empty";
  return result.ok() ? std::string() : result.error();
}

std::string traces_error(const std::string& json) {
  ExportTraceServiceRequest request;
  const auto result = decode_traces_json(json, request);
  EXPECT_FALSE(result.ok()) << json;
  return result.ok() ? std::string() : result.error();
}

// One number data point in metrics[1] (after a valid gauge), with `point` as its JSON body.
std::string sum_point(const std::string& point) {
  return R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"ok","gauge":{}},
    {"name":"bad","sum":{"dataPoints":[)" +
         point + "]}}]}]}]}";
}

std::string span_json(const std::string& fields) {
  return R"({"resourceSpans":[{"scopeSpans":[{"spans":[{)" + fields + "}]}]}]}";
}

std::string attribute_json(const std::string& value) {
  return R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"a","value":)" + value + "}]}}]}";
}

TEST(OtlpJsonMetrics, DecodesEveryMetricTypeAndField) {
  ExportMetricsServiceRequest request;
  const auto result = decode_metrics_json(kMetricsJson, request);
  ASSERT_TRUE(result.ok()) << result.error();
  expect_same(request, from_text<ExportMetricsServiceRequest>(kMetricsText));

  // A few values spelled out, independent of the text-format comparison.
  const auto& metrics = request.resource_metrics(0).scope_metrics(0).metrics();
  ASSERT_EQ(metrics.size(), 6);
  EXPECT_EQ(metrics[0].sum().data_points(0).as_int(), 7);
  EXPECT_EQ(metrics[0].sum().data_points(0).time_unix_nano(), 1700000001000000000ULL);
  EXPECT_EQ(metrics[0].sum().data_points(0).exemplars(0).trace_id(),
            std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  EXPECT_EQ(metrics[1].sum().aggregation_temporality(),
            opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  EXPECT_TRUE(std::isinf(metrics[2].gauge().data_points(0).exemplars(0).as_double()));
  EXPECT_EQ(metrics[3].histogram().data_points(0).bucket_counts_size(), 4);
  EXPECT_TRUE(metrics[3].histogram().data_points(0).has_sum());
  EXPECT_EQ(metrics[4].exponential_histogram().data_points(0).scale(), -2);
  EXPECT_TRUE(std::isnan(metrics[5].summary().data_points(0).quantile_values(1).value()));
}

TEST(OtlpJsonTraces, DecodesEverySpanField) {
  ExportTraceServiceRequest request;
  const auto result = decode_traces_json(kTracesJson, request);
  ASSERT_TRUE(result.ok()) << result.error();
  expect_same(request, from_text<ExportTraceServiceRequest>(kTracesText));
  const auto& spans = request.resource_spans(0).scope_spans(0).spans();
  ASSERT_EQ(spans.size(), 2);
  EXPECT_EQ(spans[0].parent_span_id(), "");
  EXPECT_EQ(spans[0].end_time_unix_nano() - spans[0].start_time_unix_nano(), 100000000u);
  EXPECT_EQ(spans[1].status().code(), opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
}

TEST(OtlpJsonMetrics, AcceptsSnakeCaseKeys) {
  const std::string snake = to_snake_case(nlohmann::json::parse(kMetricsJson)).dump();
  ASSERT_NE(snake.find("\"resource_metrics\""), std::string::npos);
  ASSERT_NE(snake.find("\"start_time_unix_nano\""), std::string::npos);
  ExportMetricsServiceRequest request;
  const auto result = decode_metrics_json(snake, request);
  ASSERT_TRUE(result.ok()) << result.error();
  expect_same(request, from_text<ExportMetricsServiceRequest>(kMetricsText));
}

TEST(OtlpJsonTraces, AcceptsSnakeCaseKeys) {
  const std::string snake = to_snake_case(nlohmann::json::parse(kTracesJson)).dump();
  ASSERT_NE(snake.find("\"parent_span_id\""), std::string::npos);
  ExportTraceServiceRequest request;
  const auto result = decode_traces_json(snake, request);
  ASSERT_TRUE(result.ok()) << result.error();
  expect_same(request, from_text<ExportTraceServiceRequest>(kTracesText));
}

TEST(OtlpJsonMetrics, EmptyDocumentAndNullsAreDefaults) {
  ExportMetricsServiceRequest request;
  ASSERT_TRUE(decode_metrics_json("{}", request).ok());
  EXPECT_EQ(request.resource_metrics_size(), 0);
  const auto result = decode_metrics_json(
      R"({"resourceMetrics":[{"resource":null,"schemaUrl":null,"scopeMetrics":[
          {"metrics":[{"name":"g","unit":null,"gauge":{"dataPoints":[{"asInt":null}]}}]}]}]})",
      request);
  ASSERT_TRUE(result.ok()) << result.error();
  const auto& metric = request.resource_metrics(0).scope_metrics(0).metrics(0);
  EXPECT_FALSE(request.resource_metrics(0).has_resource());
  EXPECT_EQ(metric.name(), "g");
  EXPECT_EQ(metric.gauge().data_points(0).value_case(),
            opentelemetry::proto::metrics::v1::NumberDataPoint::VALUE_NOT_SET);
}

TEST(OtlpJsonMetrics, IntegersAsStringsNumbersAndIntegralFloats) {
  ExportMetricsServiceRequest request;
  const auto result = decode_metrics_json(
      sum_point(R"({"asInt":"-9223372036854775808","timeUnixNano":"18446744073709551615"},
                   {"asInt":9223372036854775807,"timeUnixNano":18446744073709551615},
                   {"asInt":1e3,"timeUnixNano":2.0,"flags":"4294967295"})"),
      request);
  ASSERT_TRUE(result.ok()) << result.error();
  const auto& points = request.resource_metrics(0).scope_metrics(0).metrics(1).sum().data_points();
  ASSERT_EQ(points.size(), 3);
  EXPECT_EQ(points[0].as_int(), INT64_MIN);
  EXPECT_EQ(points[0].time_unix_nano(), UINT64_MAX);
  EXPECT_EQ(points[1].as_int(), INT64_MAX);
  EXPECT_EQ(points[1].time_unix_nano(), UINT64_MAX);
  EXPECT_EQ(points[2].as_int(), 1000);
  EXPECT_EQ(points[2].time_unix_nano(), 2u);
  EXPECT_EQ(points[2].flags(), UINT32_MAX);
}

TEST(OtlpJsonMetrics, DoublesAsNumbersAndSpecialStrings) {
  ExportMetricsServiceRequest request;
  const auto result =
      decode_metrics_json(sum_point(R"({"asDouble":"-Infinity"},{"asDouble":"NaN"},{"asDouble":3},
                   {"asDouble":"2.5"},{"asDouble":-1e-3})"),
                          request);
  ASSERT_TRUE(result.ok()) << result.error();
  const auto& points = request.resource_metrics(0).scope_metrics(0).metrics(1).sum().data_points();
  ASSERT_EQ(points.size(), 5);
  EXPECT_EQ(points[0].as_double(), -INFINITY);
  EXPECT_TRUE(std::isnan(points[1].as_double()));
  EXPECT_EQ(points[2].as_double(), 3.0);
  EXPECT_EQ(points[2].value_case(), opentelemetry::proto::metrics::v1::NumberDataPoint::kAsDouble);
  EXPECT_EQ(points[3].as_double(), 2.5);
  EXPECT_EQ(points[4].as_double(), -0.001);
}

TEST(OtlpJsonMetrics, Base64BytesStandardUrlSafeAndUnpadded) {
  for (const auto& [encoded, raw] :
       std::vector<std::pair<std::string, std::string>>{{"", ""},
                                                        {"Zg==", "f"},
                                                        {"Zg", "f"},
                                                        {"Zm8=", "fo"},
                                                        {"Zm9v", "foo"},
                                                        {"-_8", "\xfb\xff"},
                                                        {"+/8=", "\xfb\xff"}}) {
    ExportMetricsServiceRequest request;
    const auto result =
        decode_metrics_json(attribute_json(R"({"bytesValue":")" + encoded + "\"}"), request);
    ASSERT_TRUE(result.ok()) << encoded << ": " << result.error();
    EXPECT_EQ(request.resource_metrics(0).resource().attributes(0).value().bytes_value(), raw)
        << encoded;
  }
}

TEST(OtlpJsonErrors, NameTheJsonPathOfTheBadValue) {
  EXPECT_EQ(metrics_error(sum_point(R"({"asInt":"x"})")),
            "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asInt: not an "
            "integer");
  EXPECT_EQ(metrics_error(sum_point(R"({"asInt":1.5})")),
            "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asInt: not an "
            "integer");
  EXPECT_EQ(metrics_error(sum_point(R"({"as_int":true})")),
            "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].as_int: not an "
            "integer");
}

TEST(OtlpJsonErrors, IntegerRanges) {
  const std::string prefix = "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].";
  EXPECT_EQ(metrics_error(sum_point(R"({"asInt":"9223372036854775808"})")),
            prefix + "asInt: integer out of range for int64");
  EXPECT_EQ(metrics_error(sum_point(R"({"asInt":9223372036854775808})")),
            prefix + "asInt: integer out of range for int64");
  EXPECT_EQ(metrics_error(sum_point(R"({"asInt":1e19})")),
            prefix + "asInt: integer out of range for int64");
  EXPECT_EQ(metrics_error(sum_point(R"({"timeUnixNano":"18446744073709551616"})")),
            prefix + "timeUnixNano: integer out of range for uint64");
  EXPECT_EQ(metrics_error(sum_point(R"({"timeUnixNano":-1})")),
            prefix + "timeUnixNano: negative value for an unsigned integer");
  EXPECT_EQ(metrics_error(sum_point(R"({"timeUnixNano":"-1"})")),
            prefix + "timeUnixNano: negative value for an unsigned integer");
  EXPECT_EQ(metrics_error(sum_point(R"({"timeUnixNano":" 1"})")),
            prefix + "timeUnixNano: not an integer");
  EXPECT_EQ(metrics_error(sum_point(R"({"flags":4294967296})")),
            prefix + "flags: integer out of range for uint32");
  EXPECT_EQ(metrics_error(
                R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"exponentialHistogram":
                    {"dataPoints":[{"scale":2147483648}]}}]}]}]})"),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0]."
            "scale: integer out of range for int32");
}

TEST(OtlpJsonErrors, WrongTypes) {
  const std::string metric = "resourceMetrics[0].scopeMetrics[0].metrics[1].";
  EXPECT_EQ(metrics_error(sum_point(R"({"asDouble":"abc"})")),
            metric + "sum.dataPoints[0].asDouble: not a number");
  EXPECT_EQ(metrics_error(sum_point(R"({"asDouble":true})")),
            metric + "sum.dataPoints[0].asDouble: not a number");
  EXPECT_EQ(metrics_error(sum_point("null")), metric + "sum.dataPoints[0]: null element");
  EXPECT_EQ(metrics_error(sum_point("[]")), metric + "sum.dataPoints[0]: not an object");
  EXPECT_EQ(metrics_error(sum_point(R"({"attributes":{}})")),
            metric + "sum.dataPoints[0].attributes: not an array");
  EXPECT_EQ(metrics_error(R"({"resourceMetrics":{}})"), "resourceMetrics: not an array");
  EXPECT_EQ(metrics_error(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":5}]}]}]})"),
            "resourceMetrics[0].scopeMetrics[0].metrics[0].name: not a string");
  EXPECT_EQ(
      metrics_error(
          R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"sum":{"isMonotonic":"true"}}]}]}]})"),
      "resourceMetrics[0].scopeMetrics[0].metrics[0].sum.isMonotonic: not a boolean");
  EXPECT_EQ(metrics_error(attribute_json(R"({"bytesValue":"@@@@"})")),
            "resourceMetrics[0].resource.attributes[0].value.bytesValue: not valid base64");
  EXPECT_EQ(metrics_error(attribute_json(R"({"bytesValue":"QUJDR"})")),
            "resourceMetrics[0].resource.attributes[0].value.bytesValue: not valid base64");
  EXPECT_EQ(metrics_error(attribute_json(R"({"bytesValue":"QQ=A"})")),
            "resourceMetrics[0].resource.attributes[0].value.bytesValue: not valid base64");
}

TEST(OtlpJsonErrors, HexIds) {
  const std::string span = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(traces_error(span_json(R"("traceId":"abc")")),
            span + "traceId: not a hex ID of 32 digits");
  EXPECT_EQ(traces_error(span_json(R"("traceId":"5b8efff798038103d269b633813fc60c00")")),
            span + "traceId: not a hex ID of 32 digits");
  EXPECT_EQ(traces_error(span_json(R"("spanId":"zzzzzzzzzzzzzzzz")")),
            span + "spanId: not a hex ID of 16 digits");
  EXPECT_EQ(traces_error(span_json(R"("parent_span_id":"W4737/eYA4E=")")),
            span + "parent_span_id: not a hex ID of 16 digits");
  EXPECT_EQ(traces_error(span_json(R"("spanId":12)")), span + "spanId: not a string");
  EXPECT_EQ(traces_error(span_json(R"("links":[{"spanId":"0000000000000001"},{"traceId":"1"}])")),
            span + "links[1].traceId: not a hex ID of 32 digits");
  EXPECT_EQ(metrics_error(sum_point(R"({"exemplars":[{"spanId":"eee19b7ec3c1b17"}]})")),
            "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].exemplars[0].spanId: "
            "not a hex ID of 16 digits");
}

TEST(OtlpJsonErrors, Enums) {
  const std::string span = "resourceSpans[0].scopeSpans[0].spans[0].";
  EXPECT_EQ(traces_error(span_json(R"("kind":"SPAN_KIND_BOGUS")")),
            span + "kind: unknown enum value \"SPAN_KIND_BOGUS\"");
  EXPECT_EQ(traces_error(span_json(R"("kind":"server")")),
            span + "kind: unknown enum value \"server\"");
  EXPECT_EQ(traces_error(span_json(R"("kind":4294967296)")),
            span + "kind: integer out of range for int32");
  EXPECT_EQ(traces_error(span_json(R"("status":{"code":"OK"})")),
            span + "status.code: unknown enum value \"OK\"");
  EXPECT_EQ(
      metrics_error(
          R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"histogram":{"aggregationTemporality":"CUMULATIVE"}}]}]}]})"),
      "resourceMetrics[0].scopeMetrics[0].metrics[0].histogram.aggregationTemporality: unknown "
      "enum value \"CUMULATIVE\"");
  // Proto3 enums are open: an unknown number is kept for the translator to judge.
  ExportTraceServiceRequest request;
  ASSERT_TRUE(decode_traces_json(span_json(R"("kind":9)"), request).ok());
  EXPECT_EQ(static_cast<int>(request.resource_spans(0).scope_spans(0).spans(0).kind()), 9);
}

TEST(OtlpJsonErrors, MoreThanOneMemberOfAOneof) {
  EXPECT_EQ(metrics_error(attribute_json(R"({"stringValue":"a","intValue":1})")),
            "resourceMetrics[0].resource.attributes[0].value.stringValue: more than one AnyValue "
            "value set");
  EXPECT_EQ(metrics_error(sum_point(R"({"asInt":1,"asDouble":2})")),
            "resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asInt: more than one "
            "data point value set");
  EXPECT_EQ(
      metrics_error(
          R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{},"sum":{}}]}]}]})"),
      "resourceMetrics[0].scopeMetrics[0].metrics[0].sum: more than one metric data (gauge, sum, "
      "histogram, ...) set");
}

TEST(OtlpJsonErrors, InvalidJsonAndDocumentShape) {
  EXPECT_EQ(metrics_error("{").rfind("invalid JSON: parse error at line 1, column 2", 0), 0u);
  EXPECT_EQ(metrics_error("").rfind("invalid JSON: ", 0), 0u);
  EXPECT_EQ(metrics_error(R"({"resourceMetrics":[]} x)").rfind("invalid JSON: ", 0), 0u);
  EXPECT_EQ(
      metrics_error("{\"resourceMetrics\":[{\"schemaUrl\":\"\xff\"}]}").rfind("invalid JSON: ", 0),
      0u);
  EXPECT_EQ(metrics_error("[]"), "the JSON document is not an object");
  EXPECT_EQ(traces_error("42"), "the JSON document is not an object");
}

TEST(OtlpJsonErrors, AnyValueNestingIsBounded) {
  // 64 levels of arrays: accepted. 65: refused with the path of the 65th.
  const auto nested = [](int levels) {
    std::string v = R"({"intValue":1})";
    for (int i = 1; i < levels; ++i) v = R"({"arrayValue":{"values":[)" + v + "]}}";
    return v;
  };
  ExportMetricsServiceRequest request;
  const auto ok = decode_metrics_json(attribute_json(nested(64)), request);
  ASSERT_TRUE(ok.ok()) << ok.error();
  const auto error = metrics_error(attribute_json(nested(65)));
  EXPECT_EQ(error.rfind("resourceMetrics[0].resource.attributes[0].value.arrayValue.values[0]", 0),
            0u)
      << error;
  EXPECT_NE(error.find(": AnyValue nested deeper than 64 levels"), std::string::npos) << error;
}

TEST(OtlpJsonErrors, DocumentNestingIsBoundedBeforeParsing) {
  // Unknown fields are skipped, but a deep one is still refused before a tree is built.
  const std::string deep = R"({"x":)" + std::string(300, '[') + std::string(300, ']') + "}";
  EXPECT_EQ(metrics_error(deep), "JSON nested deeper than 256 levels at byte 260");
  // Brackets inside strings do not count.
  ExportMetricsServiceRequest request;
  const std::string quoted = R"({"x":")" + std::string(300, '[') + R"(\"{"})";
  ASSERT_TRUE(decode_metrics_json(quoted, request).ok());
}

// The body @opentelemetry/exporter-metrics-otlp-http 0.223 (JSON content, cumulative) sends for
// tests/e2e/otlp-node/metrics.js, written by hand in the exporter's layout: times as decimal
// strings, integer enums, every API number as asDouble, histogram counts as JSON numbers, key
// order as the exporter emits it (bucketCounts before count, times last).
constexpr const char* kJsExporterJson = R"({"resourceMetrics":[{"resource":{"attributes":[
{"key":"service.name","value":{"stringValue":"checkout"}},
{"key":"service.namespace","value":{"stringValue":"shop"}},
{"key":"service.instance.id","value":{"stringValue":"i-1"}},
{"key":"deployment.environment","value":{"stringValue":"test"}},
{"key":"telemetry.sdk.language","value":{"stringValue":"nodejs"}},
{"key":"telemetry.sdk.name","value":{"stringValue":"opentelemetry"}},
{"key":"telemetry.sdk.version","value":{"stringValue":"2.12.0"}}],"droppedAttributesCount":0},
"scopeMetrics":[{"scope":{"name":"checkout-http-json","version":"1.0.0"},"metrics":[
{"name":"orders","description":"Orders taken","unit":"{order}","sum":{"aggregationTemporality":2,
"isMonotonic":true,"dataPoints":[{"attributes":[{"key":"method","value":{"stringValue":"GET"}}],
"startTimeUnixNano":"1763712000123000000","timeUnixNano":"1763712001456000000","asDouble":7}]}},
{"name":"queue.depth","description":"","unit":"{item}","sum":{"aggregationTemporality":2,
"isMonotonic":false,"dataPoints":[{"attributes":[],"startTimeUnixNano":"1763712000123000000",
"timeUnixNano":"1763712001456000000","asDouble":3}]}},
{"name":"temperature","description":"","unit":"Cel","gauge":{"dataPoints":[{"attributes":[],
"startTimeUnixNano":"1763712000123000000","timeUnixNano":"1763712001456000000","asDouble":42.5}]}},
{"name":"latency","description":"Request latency","unit":"s","histogram":{"aggregationTemporality":2,
"dataPoints":[{"attributes":[{"key":"method","value":{"stringValue":"GET"}}],
"bucketCounts":[2,0,1,0],"explicitBounds":[0.25,1,5],"count":3,"sum":3.3,
"min":0.1,"max":3,"startTimeUnixNano":"1763712000123000000",
"timeUnixNano":"1763712001456000000"}]}}]}]}]})";

TEST(OtlpJsonMetrics, DecodesTheJsExporterBody) {
  ExportMetricsServiceRequest request;
  const auto result = decode_metrics_json(kJsExporterJson, request);
  ASSERT_TRUE(result.ok()) << result.error();
  ASSERT_EQ(request.resource_metrics_size(), 1);
  const auto& rm = request.resource_metrics(0);
  ASSERT_EQ(rm.resource().attributes_size(), 7);
  EXPECT_EQ(rm.resource().attributes(2).key(), "service.instance.id");
  EXPECT_EQ(rm.resource().attributes(2).value().string_value(), "i-1");
  const auto& sm = rm.scope_metrics(0);
  EXPECT_EQ(sm.scope().name(), "checkout-http-json");
  EXPECT_EQ(sm.scope().version(), "1.0.0");
  ASSERT_EQ(sm.metrics_size(), 4);

  const auto& orders = sm.metrics(0);
  EXPECT_EQ(orders.unit(), "{order}");
  ASSERT_TRUE(orders.has_sum());
  EXPECT_TRUE(orders.sum().is_monotonic());
  EXPECT_EQ(orders.sum().aggregation_temporality(),
            opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  EXPECT_EQ(orders.sum().data_points(0).as_double(), 7.0);
  EXPECT_EQ(orders.sum().data_points(0).start_time_unix_nano(), 1763712000123000000ULL);
  EXPECT_EQ(orders.sum().data_points(0).attributes(0).value().string_value(), "GET");

  EXPECT_FALSE(sm.metrics(1).sum().is_monotonic());
  EXPECT_EQ(sm.metrics(1).sum().data_points(0).as_double(), 3.0);
  EXPECT_EQ(sm.metrics(1).unit(), "{item}");
  EXPECT_EQ(sm.metrics(2).gauge().data_points(0).as_double(), 42.5);

  const auto& latency = sm.metrics(3).histogram().data_points(0);
  EXPECT_EQ(latency.count(), 3u);
  EXPECT_EQ(latency.sum(), 0.1 + 0.2 + 3);
  EXPECT_EQ(
      std::vector<std::uint64_t>(latency.bucket_counts().begin(), latency.bucket_counts().end()),
      (std::vector<std::uint64_t>{2, 0, 1, 0}));
  EXPECT_EQ(std::vector<double>(latency.explicit_bounds().begin(), latency.explicit_bounds().end()),
            (std::vector<double>{0.25, 1, 5}));
  EXPECT_EQ(latency.min(), 0.1);
  EXPECT_EQ(latency.max(), 3.0);
}

}  // namespace
}  // namespace observo::beyla

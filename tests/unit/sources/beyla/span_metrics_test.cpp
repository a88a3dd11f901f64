#include "sources/beyla/span_metrics.h"

#include "sources/beyla/service_graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace observo::beyla {
namespace {

using opentelemetry::proto::trace::v1::ResourceSpans;
using opentelemetry::proto::trace::v1::Span;
using opentelemetry::proto::trace::v1::Status;
using Clock = SpanMetrics::Clock;
using std::chrono::milliseconds;

constexpr std::uint64_t kStart = 1'700'000'000'000'000'000ULL;  // ns since the epoch
constexpr std::uint64_t kMs = 1'000'000;                        // ns

std::string id(std::size_t size, unsigned char fill) { return std::string(size, char(fill)); }
std::string trace(unsigned char n) { return id(16, n); }
std::string span_id(unsigned char n) { return id(8, n); }

struct SpanSpec {
  Span::SpanKind kind = Span::SPAN_KIND_SERVER;
  std::string name = "GET /cart";
  std::string trace_id = trace(1);
  std::string span_id = observo::beyla::span_id(1);
  std::string parent{};  // empty: a root span
  std::uint64_t duration_ns = 10 * kMs;
  Status::StatusCode status = Status::STATUS_CODE_UNSET;
};

Span* add_span(ResourceSpans& rs, const SpanSpec& spec) {
  auto* scope = rs.scope_spans_size() > 0 ? rs.mutable_scope_spans(0) : rs.add_scope_spans();
  Span* span = scope->add_spans();
  span->set_kind(spec.kind);
  span->set_name(spec.name);
  span->set_trace_id(spec.trace_id);
  span->set_span_id(spec.span_id);
  span->set_parent_span_id(spec.parent);
  span->set_start_time_unix_nano(kStart);
  span->set_end_time_unix_nano(kStart + spec.duration_ns);
  span->mutable_status()->set_code(spec.status);
  return span;
}

void set_attr(google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>* attrs,
              const std::string& key, const std::string& value) {
  auto* kv = attrs->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

void set_int_attr(Span* span, const std::string& key, std::int64_t value) {
  auto* kv = span->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_int_value(value);
}

ResourceSpans& add_resource(ExportTraceServiceRequest& request, const std::string& service,
                            const std::string& ns = "", const std::string& instance = "") {
  auto* rs = request.add_resource_spans();
  auto* attrs = rs->mutable_resource()->mutable_attributes();
  if (!service.empty()) set_attr(attrs, "service.name", service);
  if (!ns.empty()) set_attr(attrs, "service.namespace", ns);
  if (!instance.empty()) set_attr(attrs, "service.instance.id", instance);
  return *rs;
}

const metrics::Family* find_family(const metrics::Snapshot& snapshot, const std::string& name) {
  for (const auto& family : snapshot.families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

bool has_labels(const metrics::Series& series, const metrics::Labels& wanted) {
  for (const auto& label : wanted) {
    bool found = false;
    for (const auto& have : series.labels) found = found || have == label;
    if (!found) return false;
  }
  return true;
}

// The one series of `name` carrying all of `wanted`, or nullptr (also when several match).
const metrics::Series* find_series(const metrics::Snapshot& snapshot, const std::string& name,
                                   const metrics::Labels& wanted = {}) {
  const auto* family = find_family(snapshot, name);
  if (family == nullptr) return nullptr;
  const metrics::Series* match = nullptr;
  for (const auto& series : family->series) {
    if (!has_labels(series, wanted)) continue;
    if (match != nullptr) return nullptr;
    match = &series;
  }
  return match;
}

std::optional<double> value(const metrics::Snapshot& snapshot, const std::string& name,
                            const metrics::Labels& wanted = {}) {
  const auto* series = find_series(snapshot, name, wanted);
  if (series == nullptr) return std::nullopt;
  return series->value;
}

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

TEST(SpanMetricsRed, ServerSpansGiveExactCallsAndHistogram) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "cart", "shop", "pod-1");
  add_span(rs, {.span_id = span_id(1), .duration_ns = 3 * kMs});
  add_span(rs, {.span_id = span_id(2), .duration_ns = 30 * kMs});
  add_span(rs, {.span_id = span_id(3), .duration_ns = 250 * kMs});
  const auto outcome = sm.ingest(request, kT0);
  EXPECT_EQ(outcome.accepted, 3);
  EXPECT_EQ(outcome.rejected, 0);
  EXPECT_EQ(outcome.error_message, "");

  const auto snapshot = sm.snapshot(kT0);
  const auto* calls = find_family(*snapshot, "traces_span_metrics_calls_total");
  ASSERT_NE(calls, nullptr);
  EXPECT_EQ(calls->type, metrics::MetricType::kCounter);
  ASSERT_EQ(calls->series.size(), 1u);
  const metrics::Labels expected = metrics::make_labels({{"job", "shop/cart"},
                                                         {"instance", "pod-1"},
                                                         {"service_name", "cart"},
                                                         {"service_namespace", "shop"},
                                                         {"span_name", "GET /cart"},
                                                         {"span_kind", "SPAN_KIND_SERVER"},
                                                         {"status_code", "STATUS_CODE_UNSET"}});
  EXPECT_EQ(calls->series[0].labels, expected);
  EXPECT_EQ(calls->series[0].value, 3);

  const auto* duration = find_series(*snapshot, "traces_span_metrics_duration_seconds");
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(find_family(*snapshot, "traces_span_metrics_duration_seconds")->type,
            metrics::MetricType::kHistogram);
  EXPECT_EQ(duration->labels, expected);
  EXPECT_EQ(duration->count, 3);
  EXPECT_DOUBLE_EQ(duration->sum, 0.003 + 0.030 + 0.250);
  const std::vector<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                      0.5,   0.75, 1,     2.5,  5,     7.5, 10};
  const std::vector<double> cumulative = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3};
  ASSERT_EQ(duration->buckets.size(), bounds.size());
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    EXPECT_EQ(duration->buckets[i].upper_bound, bounds[i]) << i;
    EXPECT_EQ(duration->buckets[i].cumulative_count, cumulative[i]) << "le=" << bounds[i];
  }
  // The errors counter exists at 0 beside calls, so rate() works before the first error.
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_errors_total", expected), 0);
}

TEST(SpanMetricsRed, CustomBucketsAndDurationAboveTheLastBound) {
  SpanMetrics sm({.duration_buckets = {1, 0.1, 0.1}});  // sorted and deduplicated
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "cart");
  add_span(rs, {.span_id = span_id(1), .duration_ns = 100 * kMs});  // exactly on a bound
  add_span(rs, {.span_id = span_id(2), .duration_ns = 5000 * kMs});
  add_span(rs, {.span_id = span_id(3), .duration_ns = 0});
  sm.ingest(request, kT0);
  const auto* duration = find_series(*sm.snapshot(kT0), "traces_span_metrics_duration_seconds");
  ASSERT_NE(duration, nullptr);
  ASSERT_EQ(duration->buckets.size(), 2u);
  EXPECT_EQ(duration->buckets[0].upper_bound, 0.1);
  EXPECT_EQ(duration->buckets[0].cumulative_count, 2);
  EXPECT_EQ(duration->buckets[1].upper_bound, 1);
  EXPECT_EQ(duration->buckets[1].cumulative_count, 2);
  EXPECT_EQ(duration->count, 3);
  EXPECT_DOUBLE_EQ(duration->sum, 5.1);
}

TEST(SpanMetricsRed, JobIsServiceNameWithoutNamespaceAndNoInstance) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  add_span(add_resource(request, "cart"), {});
  const auto snapshot = sm.snapshot(kT0 + milliseconds(1));  // nothing yet
  EXPECT_EQ(find_family(*snapshot, "traces_span_metrics_calls_total"), nullptr);
  sm.ingest(request, kT0);
  const auto* calls = find_series(*sm.snapshot(kT0), "traces_span_metrics_calls_total");
  ASSERT_NE(calls, nullptr);
  EXPECT_EQ(calls->labels, metrics::make_labels({{"job", "cart"},
                                                 {"service_name", "cart"},
                                                 {"span_name", "GET /cart"},
                                                 {"span_kind", "SPAN_KIND_SERVER"},
                                                 {"status_code", "STATUS_CODE_UNSET"}}));
}

TEST(SpanMetricsRed, ErrorsFromStatusAndHttp5xx) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "cart");
  add_span(rs, {.name = "status", .span_id = span_id(1), .status = Status::STATUS_CODE_ERROR});
  add_span(rs, {.name = "status", .span_id = span_id(2), .status = Status::STATUS_CODE_OK});
  set_int_attr(add_span(rs, {.name = "int", .span_id = span_id(3)}), "http.response.status_code",
               500);
  set_int_attr(add_span(rs, {.name = "int", .span_id = span_id(4)}), "http.response.status_code",
               200);
  set_attr(add_span(rs, {.name = "string", .span_id = span_id(5)})->mutable_attributes(),
           "http.response.status_code", "503");
  set_attr(add_span(rs, {.name = "string", .span_id = span_id(6)})->mutable_attributes(),
           "http.response.status_code", "5xx");
  set_int_attr(add_span(rs, {.name = "old", .span_id = span_id(7)}), "http.status_code", 502);
  set_int_attr(add_span(rs, {.name = "4xx", .span_id = span_id(8)}), "http.response.status_code",
               404);
  set_int_attr(add_span(rs, {.name = "4xx", .span_id = span_id(9)}), "http.status_code", 499);
  EXPECT_EQ(sm.ingest(request, kT0).accepted, 9);

  const auto snapshot = sm.snapshot(kT0);
  const std::string errors = "traces_span_metrics_errors_total";
  const std::string calls = "traces_span_metrics_calls_total";
  EXPECT_EQ(
      value(*snapshot, errors, {{"span_name", "status"}, {"status_code", "STATUS_CODE_ERROR"}}), 1);
  EXPECT_EQ(
      value(*snapshot, calls, {{"span_name", "status"}, {"status_code", "STATUS_CODE_ERROR"}}), 1);
  EXPECT_EQ(value(*snapshot, errors, {{"span_name", "status"}, {"status_code", "STATUS_CODE_OK"}}),
            0);
  EXPECT_EQ(value(*snapshot, errors, {{"span_name", "int"}}), 1);
  EXPECT_EQ(value(*snapshot, calls, {{"span_name", "int"}}), 2);
  EXPECT_EQ(value(*snapshot, errors, {{"span_name", "string"}}), 1);
  EXPECT_EQ(value(*snapshot, calls, {{"span_name", "string"}}), 2);
  EXPECT_EQ(value(*snapshot, errors, {{"span_name", "old"}}), 1);
  EXPECT_EQ(value(*snapshot, errors, {{"span_name", "4xx"}}), 0);
  EXPECT_EQ(value(*snapshot, calls, {{"span_name", "4xx"}}), 2);
}

TEST(SpanMetricsRed, OnlyServerAndConsumerSpansMakeSeries) {
  SpanMetrics sm({.service_graph = false});
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "cart");
  add_span(rs, {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(1)});
  add_span(rs, {.kind = Span::SPAN_KIND_PRODUCER, .span_id = span_id(2)});
  add_span(rs, {.kind = Span::SPAN_KIND_INTERNAL, .span_id = span_id(3)});
  add_span(rs, {.kind = Span::SPAN_KIND_UNSPECIFIED, .span_id = span_id(4)});
  const auto outcome = sm.ingest(request, kT0);
  EXPECT_EQ(outcome.accepted, 4);
  EXPECT_EQ(outcome.rejected, 0);
  EXPECT_EQ(find_family(*sm.snapshot(kT0), "traces_span_metrics_calls_total"), nullptr);

  ExportTraceServiceRequest consumer;
  add_span(add_resource(consumer, "worker"),
           {.kind = Span::SPAN_KIND_CONSUMER, .name = "orders process", .span_id = span_id(5)});
  sm.ingest(consumer, kT0);
  const auto snapshot = sm.snapshot(kT0);
  const auto* family = find_family(*snapshot, "traces_span_metrics_calls_total");
  ASSERT_NE(family, nullptr);
  ASSERT_EQ(family->series.size(), 1u);
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_calls_total",
                  {{"span_kind", "SPAN_KIND_CONSUMER"}, {"span_name", "orders process"}}),
            1);
  EXPECT_EQ(find_family(*snapshot, "traces_service_graph_request_total"), nullptr);
  EXPECT_EQ(find_family(*snapshot, "observo_otlp_service_graph_pending"), nullptr);
}

TEST(SpanMetricsRed, SpanMetricsOffLeavesOnlyTheGraph) {
  SpanMetrics sm({.span_metrics = false});
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "web");
  add_span(rs, {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(7)});
  add_span(add_resource(request, "cart"), {.span_id = span_id(8), .parent = span_id(7)});
  EXPECT_EQ(sm.ingest(request, kT0).accepted, 2);
  const auto snapshot = sm.snapshot(kT0);
  EXPECT_EQ(find_family(*snapshot, "traces_span_metrics_calls_total"), nullptr);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total"), 1);
}

TEST(SpanMetricsValidation, InvalidIdsAndTimesAreRejectedOthersCount) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "cart");
  add_span(rs, {.trace_id = id(15, 1)});
  add_span(rs, {.trace_id = ""});
  add_span(rs, {.trace_id = id(16, 0)});
  add_span(rs, {.span_id = id(7, 1)});
  add_span(rs, {.span_id = id(8, 0)});
  add_span(rs, {.parent = id(4, 1)});
  add_span(rs, {.span_id = span_id(9)});  // the valid one
  Span* backwards = add_span(rs, {.span_id = span_id(10)});
  backwards->set_end_time_unix_nano(kStart - 1);
  const auto outcome = sm.ingest(request, kT0);
  EXPECT_EQ(outcome.accepted, 1);
  EXPECT_EQ(outcome.rejected, 7);
  EXPECT_EQ(outcome.error_message,
            "resource_spans[0].scope_spans[0].spans[0]: trace_id is 15 bytes, want 16; "
            "resource_spans[0].scope_spans[0].spans[1]: trace_id is 0 bytes, want 16; "
            "resource_spans[0].scope_spans[0].spans[2]: trace_id is all zeros (7 spans rejected)");
  EXPECT_EQ(value(*sm.snapshot(kT0), "traces_span_metrics_calls_total"), 1);

  ExportTraceServiceRequest more;
  auto& rs2 = add_resource(more, "cart");
  add_span(rs2, {.span_id = id(7, 1)});
  add_span(rs2, {.parent = id(4, 1)});
  Span* back = add_span(rs2, {.span_id = span_id(10)});
  back->set_end_time_unix_nano(kStart - 1);
  const auto outcome2 = sm.ingest(more, kT0);
  EXPECT_EQ(outcome2.accepted, 0);
  EXPECT_EQ(outcome2.rejected, 3);
  EXPECT_EQ(outcome2.error_message,
            "resource_spans[0].scope_spans[0].spans[0]: span_id is 7 bytes, want 8; "
            "resource_spans[0].scope_spans[0].spans[1]: parent_span_id is 4 bytes, want 8 or "
            "none; resource_spans[0].scope_spans[0].spans[2]: end_time_unix_nano is before "
            "start_time_unix_nano");
}

TEST(SpanMetricsValidation, LongLabelValuesAreCapped) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  // 2047 ASCII bytes then a two-byte character: the cut falls before it, not inside it.
  add_span(add_resource(request, "cart"), {.name = std::string(2047, 'a') + "\xC3\xA9" + "tail"});
  sm.ingest(request, kT0);
  const auto* calls = find_series(*sm.snapshot(kT0), "traces_span_metrics_calls_total");
  ASSERT_NE(calls, nullptr);
  bool seen = false;
  for (const auto& label : calls->labels) {
    if (label.name != "span_name") continue;
    seen = true;
    EXPECT_EQ(label.value, std::string(2047, 'a'));
  }
  EXPECT_TRUE(seen);
}

TEST(SpanMetricsServiceGraph, ClientThenServerInOneRequest) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  add_span(add_resource(request, "web"),
           {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(0xA1)});
  add_span(add_resource(request, "cart"), {.span_id = span_id(0xB1), .parent = span_id(0xA1)});
  EXPECT_EQ(sm.ingest(request, kT0).accepted, 2);
  const auto snapshot = sm.snapshot(kT0);
  const auto* edges = find_family(*snapshot, "traces_service_graph_request_total");
  ASSERT_NE(edges, nullptr);
  ASSERT_EQ(edges->series.size(), 1u);
  EXPECT_EQ(edges->series[0].labels, metrics::make_labels({{"client", "web"}, {"server", "cart"}}));
  EXPECT_EQ(edges->series[0].value, 1);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_failed_total",
                  {{"client", "web"}, {"server", "cart"}}),
            0);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 0);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_unpaired_total"), 0);
}

// Tempo's and Beyla's latency histograms of an edge: the client spans' durations and the server
// spans' durations, each over the span metrics' buckets.
TEST(SpanMetricsServiceGraph, EdgesCarryClientAndServerDurationHistograms) {
  SpanMetrics sm({.duration_buckets = {0.1, 1}});
  ExportTraceServiceRequest request;
  add_span(add_resource(request, "web"), {.kind = Span::SPAN_KIND_CLIENT,
                                          .span_id = span_id(0xA1),
                                          .duration_ns = 300 * kMs});
  add_span(add_resource(request, "cart"),
           {.span_id = span_id(0xB1), .parent = span_id(0xA1), .duration_ns = 50 * kMs});
  add_span(add_resource(request, "web"), {.kind = Span::SPAN_KIND_CLIENT,
                                          .span_id = span_id(0xA2),
                                          .duration_ns = 2000 * kMs});
  add_span(add_resource(request, "cart"),
           {.span_id = span_id(0xB2), .parent = span_id(0xA2), .duration_ns = 1500 * kMs});
  sm.ingest(request, kT0);
  const auto snapshot = sm.snapshot(kT0);
  const metrics::Labels edge = {{"client", "web"}, {"server", "cart"}};
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total", edge), 2);

  const auto* client = find_series(*snapshot, "traces_service_graph_request_client_seconds", edge);
  ASSERT_NE(client, nullptr);
  ASSERT_EQ(client->buckets.size(), 2u);
  EXPECT_EQ(client->buckets[0].cumulative_count, 0);  // le=0.1
  EXPECT_EQ(client->buckets[1].cumulative_count, 1);  // le=1: the 0.3 s call
  EXPECT_EQ(client->count, 2);
  EXPECT_DOUBLE_EQ(client->sum, 2.3);

  const auto* server = find_series(*snapshot, "traces_service_graph_request_server_seconds", edge);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->buckets[0].cumulative_count, 1);  // the 0.05 s answer
  EXPECT_EQ(server->buckets[1].cumulative_count, 1);
  EXPECT_EQ(server->count, 2);
  EXPECT_DOUBLE_EQ(server->sum, 1.55);
  const auto* family = find_family(*snapshot, "traces_service_graph_request_server_seconds");
  ASSERT_NE(family, nullptr);
  EXPECT_EQ(family->type, metrics::MetricType::kHistogram);
}

TEST(SpanMetricsServiceGraph, ServerFirstThenClientAcrossTwoRequests) {
  SpanMetrics sm({});
  ExportTraceServiceRequest first;
  add_span(add_resource(first, "queue-worker"), {.kind = Span::SPAN_KIND_CONSUMER,
                                                 .trace_id = trace(7),
                                                 .span_id = span_id(0xB2),
                                                 .parent = span_id(0xA2)});
  sm.ingest(first, kT0);
  auto snapshot = sm.snapshot(kT0);
  EXPECT_EQ(find_family(*snapshot, "traces_service_graph_request_total"), nullptr);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 1);

  // Same span id in another trace: no pair.
  ExportTraceServiceRequest other_trace;
  add_span(add_resource(other_trace, "api"),
           {.kind = Span::SPAN_KIND_PRODUCER, .trace_id = trace(8), .span_id = span_id(0xA2)});
  sm.ingest(other_trace, kT0 + milliseconds(10));
  EXPECT_EQ(value(*sm.snapshot(kT0 + milliseconds(10)), "observo_otlp_service_graph_pending"), 2);

  ExportTraceServiceRequest second;
  add_span(add_resource(second, "api"),
           {.kind = Span::SPAN_KIND_PRODUCER, .trace_id = trace(7), .span_id = span_id(0xA2)});
  sm.ingest(second, kT0 + milliseconds(20));
  snapshot = sm.snapshot(kT0 + milliseconds(20));
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total",
                  {{"client", "api"}, {"server", "queue-worker"}}),
            1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 1);
}

TEST(SpanMetricsServiceGraph, FailedEdges) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& web = add_resource(request, "web");
  auto& cart = add_resource(request, "cart");
  // 1: both fine. 2: client ERROR. 3: server ERROR. 4: server 503. 5: server 404.
  for (unsigned char n = 1; n <= 5; ++n) {
    add_span(web, {.kind = Span::SPAN_KIND_CLIENT,
                   .trace_id = trace(n),
                   .span_id = span_id(0xA0),
                   .status = n == 2 ? Status::STATUS_CODE_ERROR : Status::STATUS_CODE_UNSET});
    Span* server =
        add_span(cart, {.trace_id = trace(n),
                        .span_id = span_id(0xB0),
                        .parent = span_id(0xA0),
                        .status = n == 3 ? Status::STATUS_CODE_ERROR : Status::STATUS_CODE_UNSET});
    if (n == 4) set_int_attr(server, "http.response.status_code", 503);
    if (n == 5) set_int_attr(server, "http.response.status_code", 404);
  }
  EXPECT_EQ(sm.ingest(request, kT0).accepted, 10);
  const auto snapshot = sm.snapshot(kT0);
  const metrics::Labels edge = {{"client", "web"}, {"server", "cart"}};
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total", edge), 5);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_failed_total", edge), 3);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 0);
}

TEST(SpanMetricsServiceGraph, RootAndLocalParentServerSpansMakeNoEdge) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& rs = add_resource(request, "cart");
  add_span(rs, {.span_id = span_id(1)});  // root: no parent
  Span* local = add_span(rs, {.span_id = span_id(2), .parent = span_id(9)});
  local->set_flags(0x100 | 0x01);  // parent context known, and not remote
  Span* remote = add_span(rs, {.span_id = span_id(3), .parent = span_id(8)});
  remote->set_flags(0x100 | 0x200 | 0x01);
  add_span(rs, {.kind = Span::SPAN_KIND_INTERNAL, .span_id = span_id(4), .parent = span_id(7)});
  sm.ingest(request, kT0);
  EXPECT_EQ(value(*sm.snapshot(kT0), "observo_otlp_service_graph_pending"), 1);  // `remote`
}

TEST(SpanMetricsServiceGraph, UnpairedHalvesExpireAfterTheWait) {
  SpanMetrics sm({.service_graph_wait = milliseconds(1000)});
  ExportTraceServiceRequest client;
  add_span(add_resource(client, "web"), {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(1)});
  sm.ingest(client, kT0);
  auto snapshot = sm.snapshot(kT0 + milliseconds(999));
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_unpaired_total"), 0);
  snapshot = sm.snapshot(kT0 + milliseconds(1000));
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 0);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_unpaired_total"), 1);

  // The server half arrives too late: it waits in turn, no edge.
  ExportTraceServiceRequest server;
  add_span(add_resource(server, "cart"), {.span_id = span_id(2), .parent = span_id(1)});
  sm.ingest(server, kT0 + milliseconds(1001));
  snapshot = sm.snapshot(kT0 + milliseconds(1001));
  EXPECT_EQ(find_family(*snapshot, "traces_service_graph_request_total"), nullptr);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 1);

  // Expiry also runs on ingest, without a snapshot.
  ExportTraceServiceRequest empty;
  sm.ingest(empty, kT0 + milliseconds(2001));
  EXPECT_EQ(
      value(*sm.snapshot(kT0 + milliseconds(2001)), "observo_otlp_service_graph_unpaired_total"),
      2);
}

TEST(SpanMetricsServiceGraph, PendingTableIsCapped) {
  SpanMetrics sm({.max_pending = 2});
  ExportTraceServiceRequest request;
  auto& web = add_resource(request, "web");
  for (unsigned char n = 1; n <= 3; ++n) {
    add_span(web, {.kind = Span::SPAN_KIND_CLIENT, .trace_id = trace(n), .span_id = span_id(1)});
  }
  EXPECT_EQ(sm.ingest(request, kT0).accepted, 3);
  auto snapshot = sm.snapshot(kT0);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 2);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_dropped_total"), 1);

  // The dropped half's partner finds nobody and waits; the kept ones pair.
  ExportTraceServiceRequest servers;
  auto& cart = add_resource(servers, "cart");
  for (unsigned char n = 1; n <= 3; ++n) {
    add_span(cart, {.trace_id = trace(n), .span_id = span_id(2), .parent = span_id(1)});
  }
  sm.ingest(servers, kT0);
  snapshot = sm.snapshot(kT0);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total"), 2);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_dropped_total"), 1);
}

TEST(SpanMetricsServiceGraph, DuplicateHalfCountsAsUnpaired) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& web = add_resource(request, "web");
  add_span(web, {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(1)});
  add_span(web, {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(1)});
  add_span(add_resource(request, "cart"), {.span_id = span_id(2), .parent = span_id(1)});
  sm.ingest(request, kT0);
  const auto snapshot = sm.snapshot(kT0);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total"), 1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_unpaired_total"), 1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_service_graph_pending"), 0);
}

TEST(SpanMetricsLimits, IdleSeriesAndEdgesExpire) {
  SpanMetrics sm({.expiration = milliseconds(60'000)});
  ExportTraceServiceRequest request;
  add_span(add_resource(request, "web"), {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(1)});
  add_span(add_resource(request, "cart"), {.span_id = span_id(2), .parent = span_id(1)});
  sm.ingest(request, kT0);

  ExportTraceServiceRequest later;
  add_span(add_resource(later, "cart"), {.name = "POST /cart", .span_id = span_id(3)});
  sm.ingest(later, kT0 + milliseconds(30'000));

  auto snapshot = sm.snapshot(kT0 + milliseconds(59'999));
  EXPECT_EQ(find_family(*snapshot, "traces_span_metrics_calls_total")->series.size(), 2u);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total"), 1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series"), 3 + 3 + 4);

  snapshot = sm.snapshot(kT0 + milliseconds(60'000));
  const auto* calls = find_family(*snapshot, "traces_span_metrics_calls_total");
  ASSERT_NE(calls, nullptr);
  ASSERT_EQ(calls->series.size(), 1u);
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_calls_total", {{"span_name", "POST /cart"}}), 1);
  EXPECT_EQ(find_family(*snapshot, "traces_service_graph_request_total"), nullptr);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series"), 3);

  snapshot = sm.snapshot(kT0 + milliseconds(90'000));
  EXPECT_EQ(find_family(*snapshot, "traces_span_metrics_calls_total"), nullptr);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series"), 0);

  // A series that comes back starts again from zero.
  sm.ingest(later, kT0 + milliseconds(91'000));
  EXPECT_EQ(value(*sm.snapshot(kT0 + milliseconds(91'000)), "traces_span_metrics_calls_total"), 1);
}

TEST(SpanMetricsLimits, SeriesLimitRefusesNewLabelSetsOnly) {
  SpanMetrics sm({.max_series = 8});  // two RED label sets (3 each), then 2 left
  ExportTraceServiceRequest request;
  auto& web = add_resource(request, "web");
  add_span(web, {.name = "a", .span_id = span_id(1)});
  add_span(web, {.name = "b", .span_id = span_id(2)});
  add_span(web, {.name = "c", .span_id = span_id(3)});  // refused
  add_span(web, {.name = "a", .span_id = span_id(4)});  // still counted
  add_span(web, {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(5)});
  add_span(add_resource(request, "cart"),
           {.name = "a", .span_id = span_id(6), .parent = span_id(5)});
  const auto outcome = sm.ingest(request, kT0);
  EXPECT_EQ(outcome.accepted, 6);
  EXPECT_EQ(outcome.rejected, 0);
  auto snapshot = sm.snapshot(kT0);
  EXPECT_EQ(find_family(*snapshot, "traces_span_metrics_calls_total")->series.size(), 2u);
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_calls_total",
                  {{"service_name", "web"}, {"span_name", "a"}}),
            2);
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_calls_total", {{"span_name", "c"}}),
            std::nullopt);
  // cart's "a" was refused as well, and the edge (4 series) does not fit in the last two.
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total"), std::nullopt);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series_limit_rejections_total"), 3);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series"), 6);

  // Once idle series expire, new label sets fit again (swept on demand, no snapshot needed).
  ExportTraceServiceRequest later;
  add_span(add_resource(later, "web"), {.name = "c", .span_id = span_id(7)});
  sm.ingest(later, kT0 + milliseconds(300'000));
  snapshot = sm.snapshot(kT0 + milliseconds(300'000));
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_calls_total", {{"span_name", "c"}}), 1);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series"), 3);
  EXPECT_EQ(value(*snapshot, "observo_otlp_span_series_limit_rejections_total"), 3);
}

TEST(SpanMetricsSnapshot, CachedUntilSomethingChanges) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  add_span(add_resource(request, "cart"), {});
  sm.ingest(request, kT0);
  const auto first = sm.snapshot(kT0);
  EXPECT_EQ(sm.snapshot(kT0 + milliseconds(5)).get(), first.get());
  ExportTraceServiceRequest internal_only;
  add_span(add_resource(internal_only, "cart"), {.kind = Span::SPAN_KIND_INTERNAL});
  sm.ingest(internal_only, kT0);
  EXPECT_EQ(sm.snapshot(kT0).get(), first.get());
  sm.ingest(request, kT0);
  const auto second = sm.snapshot(kT0);
  EXPECT_NE(second.get(), first.get());
  EXPECT_EQ(value(*second, "traces_span_metrics_calls_total"), 2);
  EXPECT_EQ(value(*first, "traces_span_metrics_calls_total"), 1);  // immutable
}

TEST(SpanMetricsSnapshot, ConcurrentIngestCountsEverySpan) {
  SpanMetrics sm({});
  ExportTraceServiceRequest request;
  auto& web = add_resource(request, "web");
  add_span(web, {.kind = Span::SPAN_KIND_CLIENT, .span_id = span_id(1)});
  add_span(add_resource(request, "cart"), {.span_id = span_id(2), .parent = span_id(1)});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        sm.ingest(request);
        if (i % 50 == 0) sm.snapshot();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto snapshot = sm.snapshot();
  EXPECT_EQ(value(*snapshot, "traces_span_metrics_calls_total"), 2000);
  EXPECT_EQ(value(*snapshot, "traces_service_graph_request_total"), 2000);
}

// The byte bounds, through ServiceGraph itself (SpanMetricsOptions has no knob for them).
TEST(SpanMetricsGraphBounds, PendingTableIsCappedInBytes) {
  ServiceGraph graph(milliseconds(10'000), 100'000, milliseconds(300'000), {});
  SeriesBudget budget{.max = 100};
  const std::string long_name(kMaxSpanLabelValueBytes, 's');
  for (std::uint32_t n = 0; n < 20'000; ++n) {
    std::string trace_id(16, 1);
    trace_id.replace(0, sizeof n, reinterpret_cast<const char*>(&n), sizeof n);
    graph.add_client(trace_id, span_id(1), SpanHalf{long_name, false}, kT0, budget);
  }
  const std::size_t per_entry = 16 + 8 + kMaxSpanLabelValueBytes + 96;
  EXPECT_EQ(graph.pending(), ServiceGraph::kMaxPendingBytes / per_entry);
  std::vector<metrics::Family> families;
  graph.append_families(families);
  const metrics::Snapshot snapshot{families};
  EXPECT_EQ(value(snapshot, "observo_otlp_service_graph_dropped_total"),
            20'000.0 - static_cast<double>(ServiceGraph::kMaxPendingBytes / per_entry));

  // Pairing gives the bytes back: one more half fits again.
  std::string first(16, 1);
  const std::uint32_t zero = 0;
  first.replace(0, sizeof zero, reinterpret_cast<const char*>(&zero), sizeof zero);
  graph.add_server(first, span_id(1), SpanHalf{"cart", false}, kT0, budget);
  EXPECT_EQ(graph.pending(), ServiceGraph::kMaxPendingBytes / per_entry - 1);
  graph.add_client(trace(0xEE), span_id(1), SpanHalf{long_name, false}, kT0, budget);
  EXPECT_EQ(graph.pending(), ServiceGraph::kMaxPendingBytes / per_entry);
}

TEST(SpanMetricsGraphBounds, EdgesDrawOnTheLabelByteBudget) {
  ServiceGraph graph(milliseconds(10'000), 100, milliseconds(300'000), {});
  SeriesBudget budget{.max = 100, .max_bytes = 20};
  graph.add_client(trace(1), span_id(1), SpanHalf{"web", false}, kT0, budget);
  graph.add_server(trace(1), span_id(1), SpanHalf{"cart", true}, kT0, budget);  // 3 + 4 + 12
  graph.add_client(trace(2), span_id(1), SpanHalf{"web", false}, kT0, budget);
  graph.add_server(trace(2), span_id(1), SpanHalf{"carts", false}, kT0, budget);  // over
  EXPECT_EQ(budget.held, 4u);  // requests, failed, client and server durations
  EXPECT_EQ(budget.bytes, 19u);
  EXPECT_EQ(budget.rejections, 1u);
  std::vector<metrics::Family> families;
  graph.append_families(families);
  const metrics::Snapshot snapshot{families};
  EXPECT_EQ(value(snapshot, "traces_service_graph_request_total", {{"server", "cart"}}), 1);
  EXPECT_EQ(value(snapshot, "traces_service_graph_request_failed_total", {{"server", "cart"}}), 1);
  EXPECT_EQ(value(snapshot, "traces_service_graph_request_total", {{"server", "carts"}}),
            std::nullopt);

  EXPECT_FALSE(graph.expire_edges(kT0 + milliseconds(299'999), budget));
  EXPECT_TRUE(graph.expire_edges(kT0 + milliseconds(300'000), budget));
  EXPECT_EQ(budget.held, 0u);
  EXPECT_EQ(budget.bytes, 0u);
}

}  // namespace
}  // namespace observo::beyla

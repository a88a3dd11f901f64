// OTLP export requests through the metric store, asserting the exact families, labels and
// values of the snapshot: every data type, delta accumulation, exponential histograms,
// no-recorded-value deletion, expiry, type conflicts, job / instance / target_info, scope
// labels, promoted resource attributes, label collisions and the limits.
#include "sources/beyla/metric_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>

namespace observo::beyla {
namespace {

namespace otm = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::common::v1::KeyValue;
using Clock = MetricStore::Clock;
using metrics::Labels;
using metrics::MetricType;

using Attrs = std::vector<std::pair<std::string, std::string>>;

void set_attributes(google::protobuf::RepeatedPtrField<KeyValue>* out, const Attrs& attrs) {
  for (const auto& [key, value] : attrs) {
    KeyValue* kv = out->Add();
    kv->set_key(key);
    kv->mutable_value()->set_string_value(value);
  }
}

// One resource with one scope; metrics are added to it.
struct Request {
  ExportMetricsServiceRequest proto;
  otm::ScopeMetrics* scope = nullptr;

  explicit Request(const Attrs& resource = {{"service.name", "svc"}},
                   std::string scope_name = "lib", std::string scope_version = "1.0") {
    auto* rm = proto.add_resource_metrics();
    set_attributes(rm->mutable_resource()->mutable_attributes(), resource);
    scope = rm->add_scope_metrics();
    scope->mutable_scope()->set_name(scope_name);
    scope->mutable_scope()->set_version(scope_version);
  }

  otm::Metric* metric(const std::string& name, const std::string& unit = "",
                      const std::string& description = "") {
    otm::Metric* m = scope->add_metrics();
    m->set_name(name);
    m->set_unit(unit);
    m->set_description(description);
    return m;
  }

  otm::NumberDataPoint* sum(const std::string& name, bool monotonic,
                            otm::AggregationTemporality temporality, double value,
                            const Attrs& attrs = {}, std::uint64_t start = 0,
                            std::uint64_t time = 1000) {
    otm::Metric* m = metric(name);
    m->mutable_sum()->set_is_monotonic(monotonic);
    m->mutable_sum()->set_aggregation_temporality(temporality);
    auto* p = m->mutable_sum()->add_data_points();
    set_attributes(p->mutable_attributes(), attrs);
    p->set_as_double(value);
    p->set_start_time_unix_nano(start);
    p->set_time_unix_nano(time);
    return p;
  }

  otm::NumberDataPoint* gauge(const std::string& name, double value, const Attrs& attrs = {},
                              std::uint64_t time = 1000) {
    auto* p = metric(name)->mutable_gauge()->add_data_points();
    set_attributes(p->mutable_attributes(), attrs);
    p->set_as_double(value);
    p->set_time_unix_nano(time);
    return p;
  }

  otm::HistogramDataPoint* histogram(const std::string& name,
                                     otm::AggregationTemporality temporality,
                                     std::vector<double> bounds, std::vector<std::uint64_t> counts,
                                     double sum, std::uint64_t start = 0, std::uint64_t time = 1000,
                                     const Attrs& attrs = {}) {
    otm::Metric* m = metric(name, "s");
    m->mutable_histogram()->set_aggregation_temporality(temporality);
    auto* p = m->mutable_histogram()->add_data_points();
    set_attributes(p->mutable_attributes(), attrs);
    for (double b : bounds) p->add_explicit_bounds(b);
    std::uint64_t total = 0;
    for (auto c : counts) {
      p->add_bucket_counts(c);
      total += c;
    }
    p->set_count(total);
    p->set_sum(sum);
    p->set_start_time_unix_nano(start);
    p->set_time_unix_nano(time);
    return p;
  }
};

constexpr auto kCumulative = otm::AGGREGATION_TEMPORALITY_CUMULATIVE;
constexpr auto kDelta = otm::AGGREGATION_TEMPORALITY_DELTA;

const metrics::Family* family(const metrics::Snapshot& snapshot, const std::string& name) {
  for (const auto& f : snapshot.families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The labels every series of the default Request carries.
Labels base(Labels extra = {}) {
  extra.push_back({"job", "svc"});
  extra.push_back({"otel_scope_name", "lib"});
  extra.push_back({"otel_scope_version", "1.0"});
  return metrics::make_labels(std::move(extra));
}

double own_value(const metrics::Snapshot& snapshot, const std::string& name) {
  const auto* f = family(snapshot, name);
  return f == nullptr || f->series.empty() ? -1 : f->series[0].value;
}

std::vector<std::pair<double, double>> buckets(const metrics::Series& s) {
  std::vector<std::pair<double, double>> out;
  for (const auto& b : s.buckets) out.emplace_back(b.upper_bound, b.cumulative_count);
  return out;
}

using Pairs = std::vector<std::pair<double, double>>;

class MetricStoreTest : public testing::Test {
 protected:
  Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);
  StoreOptions options;
};

TEST_F(MetricStoreTest, CumulativeCounterLatestValueWins) {
  MetricStore store(options);
  Request r1;
  r1.sum("http.requests", true, kCumulative, 5, {{"method", "GET"}}, 10, 1000);
  r1.scope->mutable_metrics(0)->set_description("Requests served");
  auto outcome = store.ingest(r1.proto, t0);
  EXPECT_EQ(outcome.accepted, 1);
  EXPECT_EQ(outcome.rejected, 0);
  EXPECT_EQ(outcome.error_message, "");
  Request r2;
  r2.sum("http.requests", true, kCumulative, 7, {{"method", "GET"}}, 10, 2000);
  r2.sum("http.requests", true, kCumulative, 6, {{"method", "GET"}}, 10, 1500);  // older: ignored
  outcome = store.ingest(r2.proto, t0);
  EXPECT_EQ(outcome.accepted, 2);

  const auto snapshot = store.snapshot(t0);
  const auto* f = family(*snapshot, "http_requests_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, MetricType::kCounter);
  EXPECT_EQ(f->help, "Requests served");
  ASSERT_EQ(f->series.size(), 1u);
  EXPECT_EQ(f->series[0].labels, base({{"method", "GET"}}));
  EXPECT_EQ(f->series[0].value, 7);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_series"), 1);
  EXPECT_EQ(store.series_count(), 1u);
}

TEST_F(MetricStoreTest, GaugesAndNonMonotonicSumsAreGauges) {
  MetricStore store(options);
  Request r;
  r.gauge("temperature", 21.5, {{"room", "a"}});
  r.gauge("temperature", std::nan(""), {{"room", "b"}});
  r.sum("queue.depth", false, kCumulative, -3);
  auto* as_int = r.gauge("cpu.count", 0);
  as_int->set_as_int(8);
  EXPECT_EQ(store.ingest(r.proto, t0).accepted, 4);

  const auto snapshot = store.snapshot(t0);
  const auto* temp = family(*snapshot, "temperature");
  ASSERT_NE(temp, nullptr);
  EXPECT_EQ(temp->type, MetricType::kGauge);
  ASSERT_EQ(temp->series.size(), 2u);
  EXPECT_EQ(temp->series[0].labels, base({{"room", "a"}}));
  EXPECT_EQ(temp->series[0].value, 21.5);
  EXPECT_TRUE(std::isnan(temp->series[1].value));
  const auto* depth = family(*snapshot, "queue_depth");
  ASSERT_NE(depth, nullptr);
  EXPECT_EQ(depth->type, MetricType::kGauge);
  EXPECT_EQ(depth->series[0].value, -3);
  EXPECT_EQ(family(*snapshot, "cpu_count")->series[0].value, 8);
}

TEST_F(MetricStoreTest, UnspecifiedTemporalityIsRejected) {
  MetricStore store(options);
  Request r;
  r.sum("x", true, otm::AGGREGATION_TEMPORALITY_UNSPECIFIED, 1);
  const auto outcome = store.ingest(r.proto, t0);
  EXPECT_EQ(outcome.accepted, 0);
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_EQ(outcome.error_message, "aggregation temporality unspecified");
  EXPECT_EQ(family(*store.snapshot(t0), "x_total"), nullptr);
}

TEST_F(MetricStoreTest, DeltaSumsAccumulate) {
  MetricStore store(options);
  const auto send = [&](double value, std::uint64_t start, std::uint64_t time) {
    Request r;
    r.sum("jobs.done", true, kDelta, value, {}, start, time);
    r.sum("in.flight", false, kDelta, -value, {}, start, time);
    return store.ingest(r.proto, t0);
  };
  EXPECT_EQ(send(3, 100, 200).accepted, 2);
  EXPECT_EQ(send(4, 200, 300).accepted, 2);  // contiguous
  EXPECT_EQ(send(1, 400, 500).accepted, 2);  // after an idle interval
  const auto overlap = send(10, 450, 600);   // starts before the stored end
  EXPECT_EQ(overlap.accepted, 0);
  EXPECT_EQ(overlap.rejected, 2);
  EXPECT_THAT(overlap.error_message, testing::HasSubstr("delta point starts before"));
  EXPECT_EQ(send(10, 100, 200).rejected, 2);  // a resent old batch

  const auto snapshot = store.snapshot(t0);
  const auto* done = family(*snapshot, "jobs_done_total");
  ASSERT_NE(done, nullptr);
  EXPECT_EQ(done->type, MetricType::kCounter);
  EXPECT_EQ(done->series[0].value, 8);
  const auto* flight = family(*snapshot, "in_flight");
  ASSERT_NE(flight, nullptr);
  EXPECT_EQ(flight->type, MetricType::kGauge);
  EXPECT_EQ(flight->series[0].value, -8);
}

TEST_F(MetricStoreTest, CumulativeHistogram) {
  MetricStore store(options);
  Request r1;
  r1.histogram("rpc.server.duration", kCumulative, {0.1, 1}, {1, 2, 3}, 10, 0, 2000,
               {{"le", "dropped"}, {"rpc.method", "Get"}});
  Request r2;
  r2.histogram("rpc.server.duration", kCumulative, {0.1, 1}, {9, 9, 9}, 99, 0, 1000,
               {{"rpc.method", "Get"}});  // older
  r2.histogram("rpc.server.call.duration", kCumulative, {0.5, 2.5, HUGE_VAL}, {1, 1, 1, 0}, 3);
  EXPECT_EQ(store.ingest(r1.proto, t0).accepted, 1);
  EXPECT_EQ(store.ingest(r2.proto, t0).accepted, 2);

  const auto snapshot = store.snapshot(t0);
  const auto* f = family(*snapshot, "rpc_server_duration_seconds");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, MetricType::kHistogram);
  ASSERT_EQ(f->series.size(), 1u);
  EXPECT_EQ(f->series[0].labels, base({{"rpc_method", "Get"}}));
  EXPECT_EQ(buckets(f->series[0]), (Pairs{{0.1, 1}, {1, 3}}));
  EXPECT_EQ(f->series[0].count, 6);
  EXPECT_EQ(f->series[0].sum, 10);
  const auto* call = family(*snapshot, "rpc_server_call_duration_seconds");
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(buckets(call->series[0]), (Pairs{{0.5, 1}, {2.5, 2}}));  // +Inf bound implicit
  EXPECT_EQ(call->series[0].count, 3);
}

TEST_F(MetricStoreTest, DeltaHistogramAccumulatesWhenBoundsMatch) {
  MetricStore store(options);
  const auto send = [&](std::vector<double> bounds, std::vector<std::uint64_t> counts, double sum,
                        std::uint64_t start, std::uint64_t time) {
    Request r;
    r.histogram("lat", kDelta, std::move(bounds), std::move(counts), sum, start, time);
    return store.ingest(r.proto, t0);
  };
  send({1, 5}, {1, 0, 2}, 20, 0, 100);
  send({1, 5}, {0, 3, 1}, 12, 100, 200);
  auto snapshot = store.snapshot(t0);
  const auto* f = family(*snapshot, "lat_seconds");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(buckets(f->series[0]), (Pairs{{1, 1}, {5, 4}}));
  EXPECT_EQ(f->series[0].count, 7);
  EXPECT_EQ(f->series[0].sum, 32);

  send({2}, {4, 1}, 9, 200, 300);  // other bounds: starts again
  snapshot = store.snapshot(t0);
  f = family(*snapshot, "lat_seconds");
  EXPECT_EQ(buckets(f->series[0]), (Pairs{{2, 4}}));
  EXPECT_EQ(f->series[0].count, 5);
  EXPECT_EQ(f->series[0].sum, 9);

  EXPECT_EQ(send({2}, {1, 1}, 1, 250, 400).rejected, 1);  // overlaps
}

TEST_F(MetricStoreTest, InvalidHistogramPointsAreRejected) {
  MetricStore store(options);
  Request r;
  r.histogram("a", kCumulative, {5, 1}, {1, 1, 1}, 1);  // not ascending
  r.histogram("b", kCumulative, {1, 5}, {1, 1}, 1);     // counts != bounds + 1
  r.histogram("c", kCumulative, {1, std::nan("")}, {1, 1, 1}, 1);
  r.histogram("d", kCumulative, {}, {}, 4);  // no buckets: fine
  r.scope->mutable_metrics(3)->mutable_histogram()->mutable_data_points(0)->set_count(2);
  const auto outcome = store.ingest(r.proto, t0);
  EXPECT_EQ(outcome.accepted, 1);
  EXPECT_EQ(outcome.rejected, 3);
  EXPECT_EQ(outcome.error_message, "histogram point with invalid bounds or bucket counts");
  const auto* d = family(*store.snapshot(t0), "d_seconds");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->series[0].buckets.empty());
  EXPECT_EQ(d->series[0].count, 2);
}

otm::ExponentialHistogramDataPoint* exp_point(Request& r, const std::string& name,
                                              otm::AggregationTemporality temporality,
                                              std::int32_t scale, std::int32_t offset,
                                              std::vector<std::uint64_t> positive) {
  otm::Metric* m = r.metric(name, "s");
  m->mutable_exponential_histogram()->set_aggregation_temporality(temporality);
  auto* p = m->mutable_exponential_histogram()->add_data_points();
  p->set_scale(scale);
  p->mutable_positive()->set_offset(offset);
  std::uint64_t total = 0;
  for (auto c : positive) {
    p->mutable_positive()->add_bucket_counts(c);
    total += c;
  }
  p->set_count(total);
  p->set_time_unix_nano(1000);
  return p;
}

TEST_F(MetricStoreTest, ExponentialHistogramBecomesClassicBuckets) {
  MetricStore store(options);
  Request r;
  // scale 0: base 2; positive bucket i is (2^i, 2^(i+1)].
  auto* p = exp_point(r, "exp", kCumulative, 0, 0, {1, 0, 2});
  p->set_zero_count(1);
  p->mutable_negative()->set_offset(1);
  p->mutable_negative()->add_bucket_counts(4);  // [-4, -2)
  p->set_count(8);
  p->set_sum(-3.5);
  // scale 1: base sqrt(2).
  exp_point(r, "fine", kCumulative, 1, -1, {1, 0, 0, 1});
  EXPECT_EQ(store.ingest(r.proto, t0).accepted, 2);

  const auto snapshot = store.snapshot(t0);
  const auto* f = family(*snapshot, "exp_seconds");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, MetricType::kHistogram);
  EXPECT_EQ(buckets(f->series[0]), (Pairs{{-2, 4}, {0, 5}, {2, 6}, {8, 8}}));
  EXPECT_EQ(f->series[0].count, 8);
  EXPECT_EQ(f->series[0].sum, -3.5);
  const auto* fine = family(*snapshot, "fine_seconds");
  ASSERT_NE(fine, nullptr);
  ASSERT_EQ(fine->series[0].buckets.size(), 2u);
  EXPECT_EQ(fine->series[0].buckets[0].upper_bound, 1);                          // base^0
  EXPECT_DOUBLE_EQ(fine->series[0].buckets[1].upper_bound, 2 * std::sqrt(2.0));  // base^3
  EXPECT_EQ(fine->series[0].buckets[1].cumulative_count, 2);
}

TEST_F(MetricStoreTest, DeltaExponentialHistogramsMergeAcrossScales) {
  MetricStore store(options);
  Request r1;
  auto* p1 = exp_point(r1, "exp", kDelta, 1, 0, {1, 1});  // (1, 1.41], (1.41, 2]
  p1->set_sum(3);
  p1->set_start_time_unix_nano(0);
  p1->set_time_unix_nano(100);
  Request r2;
  auto* p2 = exp_point(r2, "exp", kDelta, 0, 0, {1});  // (1, 2]
  p2->mutable_positive()->add_bucket_counts(2);        // (2, 4]
  p2->set_count(3);
  p2->set_sum(8);
  p2->set_start_time_unix_nano(100);
  p2->set_time_unix_nano(200);
  store.ingest(r1.proto, t0);
  store.ingest(r2.proto, t0);
  const auto snapshot = store.snapshot(t0);
  const auto* f = family(*snapshot, "exp_seconds");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(buckets(f->series[0]), (Pairs{{2, 3}, {4, 5}}));
  EXPECT_EQ(f->series[0].count, 5);
  EXPECT_EQ(f->series[0].sum, 11);
}

TEST_F(MetricStoreTest, ExponentialScaleOutOfRangeIsRejected) {
  MetricStore store(options);
  Request r;
  exp_point(r, "exp", kCumulative, 21, 0, {1});
  const auto outcome = store.ingest(r.proto, t0);
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_THAT(outcome.error_message, testing::HasSubstr("scale outside -10..20"));
}

TEST_F(MetricStoreTest, Summary) {
  MetricStore store(options);
  Request r;
  otm::Metric* m = r.metric("rpc.latency", "ms", "Latency");
  auto* p = m->mutable_summary()->add_data_points();
  set_attributes(p->mutable_attributes(), {{"quantile", "dropped"}, {"op", "read"}});
  p->set_count(10);
  p->set_sum(55);
  auto* q99 = p->add_quantile_values();
  q99->set_quantile(0.99);
  q99->set_value(9);
  auto* q5 = p->add_quantile_values();
  q5->set_quantile(0.5);
  q5->set_value(5);
  auto* bad = p->add_quantile_values();
  bad->set_quantile(1.5);
  bad->set_value(1);
  EXPECT_EQ(store.ingest(r.proto, t0).accepted, 1);
  const auto snapshot = store.snapshot(t0);
  const auto* f = family(*snapshot, "rpc_latency_milliseconds");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type, MetricType::kSummary);
  EXPECT_EQ(f->help, "Latency");
  EXPECT_EQ(f->series[0].labels, base({{"op", "read"}}));
  ASSERT_EQ(f->series[0].quantiles.size(), 2u);
  EXPECT_EQ(f->series[0].quantiles[0].quantile, 0.5);
  EXPECT_EQ(f->series[0].quantiles[0].value, 5);
  EXPECT_EQ(f->series[0].quantiles[1].quantile, 0.99);
  EXPECT_EQ(f->series[0].sum, 55);
  EXPECT_EQ(f->series[0].count, 10);
}

TEST_F(MetricStoreTest, NoRecordedValueDeletesTheSeries) {
  MetricStore store(options);
  Request r1;
  r1.gauge("g", 1, {{"k", "a"}});
  r1.gauge("g", 2, {{"k", "b"}});
  r1.histogram("h", kCumulative, {1}, {1, 1}, 1);
  store.ingest(r1.proto, t0);
  Request r2;
  r2.gauge("g", 0, {{"k", "a"}})->set_flags(1);
  r2.histogram("h", kCumulative, {}, {}, 0)->set_flags(1);
  EXPECT_EQ(store.ingest(r2.proto, t0).accepted, 2);
  const auto snapshot = store.snapshot(t0);
  const auto* g = family(*snapshot, "g");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->series.size(), 1u);
  EXPECT_EQ(g->series[0].labels, base({{"k", "b"}}));
  EXPECT_EQ(family(*snapshot, "h_seconds"), nullptr);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_series"), 1);
}

TEST_F(MetricStoreTest, IdleSeriesExpire) {
  options.expiration = std::chrono::seconds(60);
  MetricStore store(options);
  Request r1;
  r1.gauge("g", 1, {{"k", "old"}});
  r1.gauge("g", 1, {{"k", "fresh"}});
  store.ingest(r1.proto, t0);
  Request r2;
  r2.gauge("g", 2, {{"k", "fresh"}}, 2000);
  store.ingest(r2.proto, t0 + std::chrono::seconds(30));

  auto snapshot = store.snapshot(t0 + std::chrono::seconds(59));
  EXPECT_EQ(family(*snapshot, "g")->series.size(), 2u);
  snapshot = store.snapshot(t0 + std::chrono::seconds(60));
  ASSERT_EQ(family(*snapshot, "g")->series.size(), 1u);
  EXPECT_EQ(family(*snapshot, "g")->series[0].labels, base({{"k", "fresh"}}));
  snapshot = store.snapshot(t0 + std::chrono::seconds(90));
  EXPECT_EQ(family(*snapshot, "g"), nullptr);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_series"), 0);
  EXPECT_EQ(store.series_count(), 0u);
}

TEST_F(MetricStoreTest, TypeConflictKeepsTheFirstType) {
  options.expiration = std::chrono::seconds(60);
  MetricStore store(options);
  Request r1;
  r1.gauge("jobs.total", 5);  // gauge jobs_total
  store.ingest(r1.proto, t0);
  Request r2;
  r2.sum("jobs", true, kCumulative, 9);  // counter jobs_total
  const auto outcome = store.ingest(r2.proto, t0);
  EXPECT_EQ(outcome.accepted, 0);
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_EQ(outcome.error_message,
            "type conflict: jobs_total is a gauge, the counter of the same name is dropped");
  auto snapshot = store.snapshot(t0);
  EXPECT_EQ(family(*snapshot, "jobs_total")->type, MetricType::kGauge);
  EXPECT_EQ(family(*snapshot, "jobs_total")->series[0].value, 5);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_type_conflicts_total"), 1);

  // Classic and exponential histograms under one name conflict too.
  Request r3;
  r3.histogram("lat", kCumulative, {1}, {1, 0}, 1);
  exp_point(r3, "lat", kCumulative, 0, 0, {1});
  EXPECT_EQ(store.ingest(r3.proto, t0).rejected, 1);
  EXPECT_EQ(own_value(*store.snapshot(t0), "observo_otlp_type_conflicts_total"), 2);

  // Once the gauge's series expire the name is free again.
  const auto later = t0 + std::chrono::seconds(61);
  EXPECT_EQ(store.ingest(r2.proto, later).accepted, 1);
  snapshot = store.snapshot(later);
  EXPECT_EQ(family(*snapshot, "jobs_total")->type, MetricType::kCounter);
  EXPECT_EQ(family(*snapshot, "jobs_total")->series[0].value, 9);
}

TEST_F(MetricStoreTest, JobInstanceAndTargetInfo) {
  MetricStore store(options);
  Request r(Attrs{{"service.name", "checkout"},
                  {"service.namespace", "shop"},
                  {"service.instance.id", "pod-1"},
                  {"host.name", "h1"},
                  {"k8s.pod.name", "checkout-1"}});
  r.gauge("g", 1);
  store.ingest(r.proto, t0);
  Request plain(Attrs{{"service.name", "lonely"}});
  plain.gauge("g", 2);
  store.ingest(plain.proto, t0);

  const auto snapshot = store.snapshot(t0);
  const auto* g = family(*snapshot, "g");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->series.size(), 2u);
  EXPECT_EQ(g->series[0].labels, metrics::make_labels({{"instance", "pod-1"},
                                                       {"job", "shop/checkout"},
                                                       {"otel_scope_name", "lib"},
                                                       {"otel_scope_version", "1.0"}}));
  EXPECT_EQ(g->series[1].labels,
            metrics::make_labels(
                {{"job", "lonely"}, {"otel_scope_name", "lib"}, {"otel_scope_version", "1.0"}}));
  const auto* info = family(*snapshot, "target_info");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->type, MetricType::kGauge);
  EXPECT_EQ(info->help, "Target metadata");
  ASSERT_EQ(info->series.size(), 1u);  // "lonely" has nothing beyond service.*
  EXPECT_EQ(info->series[0].labels, metrics::make_labels({{"host_name", "h1"},
                                                          {"instance", "pod-1"},
                                                          {"job", "shop/checkout"},
                                                          {"k8s_pod_name", "checkout-1"}}));
  EXPECT_EQ(info->series[0].value, 1);
}

TEST_F(MetricStoreTest, TargetInfoMetricJoinsTheResourceSeries) {
  MetricStore store(options);
  Request r(Attrs{{"service.name", "b"}, {"service.instance.id", "i"}, {"host.name", "h1"}});
  r.sum("target.info", false, kCumulative, 1, {{"os.type", "linux"}});
  r.gauge("g", 1);
  EXPECT_EQ(store.ingest(r.proto, t0).accepted, 2);
  Request only_info(Attrs{{"service.name", "c"}});
  only_info.sum("target.info", false, kCumulative, 1, {{"telemetry.sdk.name", "beyla"}});
  store.ingest(only_info.proto, t0);

  const auto snapshot = store.snapshot(t0);
  const auto* info = family(*snapshot, "target_info");
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->series.size(), 2u);
  EXPECT_EQ(info->series[0].labels,
            metrics::make_labels(
                {{"host_name", "h1"}, {"instance", "i"}, {"job", "b"}, {"os_type", "linux"}}));
  EXPECT_EQ(info->series[1].labels,
            metrics::make_labels({{"job", "c"}, {"telemetry_sdk_name", "beyla"}}));
}

TEST_F(MetricStoreTest, ScopeLabels) {
  MetricStore with(options);
  Request r(Attrs{{"service.name", "svc"}}, "go.opentelemetry.io/obi", "");
  r.gauge("g", 1);
  with.ingest(r.proto, t0);
  EXPECT_EQ(family(*with.snapshot(t0), "g")->series[0].labels,
            metrics::make_labels({{"job", "svc"}, {"otel_scope_name", "go.opentelemetry.io/obi"}}));

  options.scope_labels = false;
  MetricStore without(options);
  without.ingest(r.proto, t0);
  EXPECT_EQ(family(*without.snapshot(t0), "g")->series[0].labels,
            metrics::make_labels({{"job", "svc"}}));
}

TEST_F(MetricStoreTest, PromotedResourceAttributes) {
  options.resource_attributes = {"k8s.namespace.name", "k8s.pod.name", "absent"};
  MetricStore store(options);
  Request r(Attrs{{"service.name", "svc"}, {"k8s.namespace.name", "prod"}, {"k8s.pod.name", "p1"}});
  r.gauge("g", 1);
  r.gauge("h", 1, {{"k8s.pod.name", "from-point"}, {"job", "ignored"}});
  store.ingest(r.proto, t0);
  const auto snapshot = store.snapshot(t0);
  EXPECT_EQ(family(*snapshot, "g")->series[0].labels,
            base({{"k8s_namespace_name", "prod"}, {"k8s_pod_name", "p1"}}));
  // A point attribute wins over a promoted one; job and instance win over a point attribute.
  EXPECT_EQ(family(*snapshot, "h")->series[0].labels,
            base({{"k8s_namespace_name", "prod"}, {"k8s_pod_name", "from-point"}}));
}

TEST_F(MetricStoreTest, LabelCollisionsEmptyValuesAndLimits) {
  MetricStore store(options);
  Request r;
  r.gauge("g", 1, {{"a_b", "2"}, {"a.b", "1"}, {"empty", ""}, {"long", std::string(3000, 'x')}});
  Attrs many;
  for (int i = 0; i < 130; ++i) many.emplace_back("k" + std::to_string(i), "v");
  r.gauge("wide", 1, many);
  const auto outcome = store.ingest(r.proto, t0);
  EXPECT_EQ(outcome.accepted, 1);
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_EQ(outcome.error_message, "more than 128 labels on a point");
  const auto snapshot = store.snapshot(t0);
  EXPECT_EQ(family(*snapshot, "g")->series[0].labels,
            base({{"a_b", "1;2"}, {"long", std::string(2048, 'x')}}));
  EXPECT_EQ(family(*snapshot, "wide"), nullptr);
}

TEST_F(MetricStoreTest, SeriesLimit) {
  options.max_series = 2;
  MetricStore store(options);
  Request r;
  r.gauge("g", 1, {{"k", "a"}});
  r.gauge("g", 1, {{"k", "b"}});
  r.gauge("g", 1, {{"k", "c"}});
  auto outcome = store.ingest(r.proto, t0);
  EXPECT_EQ(outcome.accepted, 2);
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_EQ(outcome.error_message, "series limit (2) reached, points of new series are rejected");
  Request update;
  update.gauge("g", 5, {{"k", "a"}}, 2000);
  outcome = store.ingest(update.proto, t0);
  EXPECT_EQ(outcome.accepted, 1);  // existing series still update
  const auto snapshot = store.snapshot(t0);
  EXPECT_EQ(family(*snapshot, "g")->series.size(), 2u);
  EXPECT_EQ(family(*snapshot, "g")->series[0].value, 5);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_series_limit_rejections_total"), 1);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_series"), 2);
}

TEST_F(MetricStoreTest, SnapshotIsCachedUntilSomethingChanges) {
  MetricStore store(options);
  Request r;
  r.gauge("g", 1);
  store.ingest(r.proto, t0);
  const auto first = store.snapshot(t0);
  EXPECT_EQ(store.snapshot(t0), first);
  store.ingest(r.proto, t0);
  const auto second = store.snapshot(t0);
  EXPECT_NE(second, first);
  EXPECT_EQ(first->families.size(), 4u);  // g plus the three own families
}

TEST_F(MetricStoreTest, HelpIsTheFirstDescription) {
  MetricStore store(options);
  Request r;
  r.gauge("g", 1, {{"k", "a"}});
  r.scope->mutable_metrics(0)->set_description("first");
  r.gauge("g", 1, {{"k", "b"}});
  r.scope->mutable_metrics(1)->set_description("second");
  store.ingest(r.proto, t0);
  EXPECT_EQ(family(*store.snapshot(t0), "g")->help, "first");
}

TEST_F(MetricStoreTest, InvalidMetricNameIsRejected) {
  MetricStore store(options);
  Request r;
  r.gauge("...", 1);
  const auto outcome = store.ingest(r.proto, t0);
  EXPECT_EQ(outcome.rejected, 1);
  EXPECT_EQ(outcome.error_message, "metric name yields no valid Prometheus name");
}

TEST_F(MetricStoreTest, ConcurrentIngestAndSnapshots) {
  MetricStore store(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t, this] {
      for (int i = 0; i < 100; ++i) {
        Request r;
        r.sum("hits", true, kDelta, 1, {}, 0, 0);  // no times: every point adds
        r.gauge("g", i, {{"t", std::to_string(t)}, {"i", std::to_string(i)}});
        store.ingest(r.proto, t0);
        if (i % 10 == 0) store.snapshot(t0);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto snapshot = store.snapshot(t0);
  EXPECT_EQ(family(*snapshot, "hits_total")->series[0].value, 400);
  EXPECT_EQ(family(*snapshot, "g")->series.size(), 400u);
  EXPECT_EQ(own_value(*snapshot, "observo_otlp_series"), 401);
}

}  // namespace
}  // namespace observo::beyla

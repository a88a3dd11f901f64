// Segments to the earlier exporter's metrics: exact values, window gauges, label caps,
// dependencies from parent links, and counters that survive a save / load.
#include <gtest/gtest.h>

#include "sources/xray/aggregator.h"

namespace observo::xray {
namespace {

SegmentRecord request(std::string service, std::string url, int status, double ms,
                      std::string ip = "10.0.0.1") {
  SegmentRecord s;
  s.name = std::move(service);
  s.id = "1";
  s.trace_id = "t";
  s.url = std::move(url);
  s.method = "GET";
  s.client_ip = std::move(ip);
  s.status = status;
  s.start_time = 1000;
  s.end_time = 1000 + ms / 1000;
  return s;
}

const metrics::Series* find(const metrics::Snapshot& snapshot, const std::string& family,
                            const metrics::Labels& labels) {
  for (const auto& f : snapshot.families) {
    if (f.name != family) continue;
    for (const auto& s : f.series) {
      if (s.labels == metrics::make_labels(labels)) return &s;
    }
  }
  return nullptr;
}

double value(const metrics::Snapshot& snapshot, const std::string& family,
             const metrics::Labels& labels) {
  const auto* s = find(snapshot, family, labels);
  return s == nullptr ? -1 : s->value;
}

TEST(Aggregator, CountsLikeTheEarlierExporter) {
  Aggregator aggregator;
  for (int i = 1; i <= 100; ++i) aggregator.add(request("api", "https://h/a?q=1", 200, i));
  aggregator.add(request("api", "https://h/b", 404, 5));
  aggregator.add(request("api", "https://h/b", 503, 5));
  auto throttled = request("api", "https://h/b", 429, 5);
  aggregator.add(throttled);
  aggregator.close_window();
  const auto snap = aggregator.snapshot();
  EXPECT_EQ(value(snap, "xray_service_requests_total", {{"service", "api"}}), 103);
  EXPECT_EQ(value(snap, "xray_service_errors_total", {{"service", "api"}}), 2);  // 404, 429
  EXPECT_EQ(value(snap, "xray_service_faults_total", {{"service", "api"}}), 1);
  EXPECT_EQ(value(snap, "xray_service_throttles_total", {{"service", "api"}}), 1);
  EXPECT_EQ(value(snap, "xray_service_errors_count", {{"service", "api"}}), 2);
  EXPECT_EQ(value(snap, "xray_service_status_total", {{"service", "api"}, {"status_code", "200"}}),
            100);
  EXPECT_EQ(value(snap, "xray_url_requests_total", {{"url", "https://h/a"}}), 100);
  EXPECT_EQ(value(snap, "xray_url_errors_total", {{"url", "https://h/b"}}), 3);
  EXPECT_EQ(value(snap, "xray_url_error_rate", {{"url", "https://h/b"}}), 1);
  EXPECT_EQ(value(snap, "xray_url_latency_avg_ms", {{"url", "https://h/a"}}), 50.5);
  EXPECT_EQ(value(snap, "xray_url_latency_sum_ms", {{"url", "https://h/a"}}), 5050);
  // Nearest rank over 1..100 ms plus three 5 ms samples (103 samples).
  EXPECT_EQ(value(snap, "xray_service_latency_p50_ms", {{"service", "api"}}), 49);
  EXPECT_EQ(value(snap, "xray_service_latency_p90_ms", {{"service", "api"}}), 90);
  EXPECT_EQ(value(snap, "xray_service_latency_p99_ms", {{"service", "api"}}), 99);
  const auto* hist = find(snap, "xray_service_request_duration_seconds", {{"service", "api"}});
  ASSERT_NE(hist, nullptr);
  EXPECT_EQ(hist->count, 103);
  EXPECT_EQ(hist->buckets[0].cumulative_count, 8);  // <= 5 ms: 1..5 and three 5 ms
  EXPECT_EQ(value(snap, "xray_url_service_total", {{"service", "api"}, {"url", "https://h/a"}}),
            100);

  // A new window without data drops the window gauges, the counters stay.
  aggregator.close_window();
  const auto later = aggregator.snapshot();
  EXPECT_EQ(find(later, "xray_service_latency_p50_ms", {{"service", "api"}}), nullptr);
  EXPECT_EQ(value(later, "xray_service_requests_total", {{"service", "api"}}), 103);
}

TEST(Aggregator, PercentileIsNearestRank) {
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({3, 1, 2}, 0.5), 2);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 0.5), 2);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 0.99), 4);
}

TEST(Aggregator, CapsUrlAndClientIpLabels) {
  Aggregator aggregator(AggregatorOptions{.max_urls = 2, .max_client_ips = 1});
  aggregator.add(request("api", "https://h/1", 200, 1, "1.1.1.1"));
  aggregator.add(request("api", "https://h/2", 200, 1, "2.2.2.2"));
  aggregator.add(request("api", "https://h/3", 200, 1, "3.3.3.3"));
  aggregator.add(request("api", "https://h/1", 200, 1, "1.1.1.1"));
  const auto snap = aggregator.snapshot();
  EXPECT_EQ(value(snap, "xray_url_requests_total", {{"url", "https://h/1"}}), 2);
  EXPECT_EQ(value(snap, "xray_url_requests_total", {{"url", "other"}}), 1);
  EXPECT_EQ(
      value(snap, "xray_service_client_ip_total", {{"client_ip", "other"}, {"service", "api"}}), 2);
  EXPECT_EQ(value(snap, "observo_xray_label_overflow_total", {{"label", "url"}}), 1);
  EXPECT_EQ(value(snap, "observo_xray_label_overflow_total", {{"label", "client_ip"}}), 2);
}

TEST(Aggregator, InProgressAndInferredAreNotRequests) {
  Aggregator aggregator;
  auto open = request("api", "https://h/1", 200, 1);
  open.in_progress = true;
  aggregator.add(open);
  auto inferred = request("DynamoDB", "", 200, 1);
  inferred.inferred = true;
  aggregator.add(inferred);
  auto independent = request("local-work", "", 0, 1);
  independent.is_subsegment = true;
  independent.calls.push_back({"c", "db", false, false, false});
  aggregator.add(independent);
  const auto snap = aggregator.snapshot();
  EXPECT_EQ(find(snap, "xray_service_requests_total", {{"service", "api"}}), nullptr);
  EXPECT_EQ(find(snap, "xray_service_requests_total", {{"service", "local-work"}}), nullptr);
  EXPECT_EQ(
      find(snap, "xray_service_dependency_total", {{"source", "local-work"}, {"target", "db"}}),
      nullptr);
  EXPECT_EQ(value(snap, "observo_xray_in_progress_segments_total", {}), 1);
  EXPECT_EQ(value(snap, "observo_xray_inferred_segments_skipped_total", {}), 1);
}

TEST(Aggregator, DependenciesFromRemoteSubsegmentsAndParentLinks) {
  Aggregator aggregator;
  auto front = request("front", "https://f/", 200, 10);
  front.id = "a";
  front.calls.push_back({"r1", "backend.internal", false, false, false});  // -> backend segment
  front.calls.push_back({"r2", "S3", false, true, false});                 // AWS call, failed
  front.local_subsegment_ids = {"l1"};
  auto back = request("backend", "https://b/", 200, 5);
  back.id = "b";
  back.parent_id = "r1";
  auto worker = request("worker", "", 200, 5);
  worker.id = "w";
  worker.parent_id = "l1";  // started from a local subsegment of front
  aggregator.add_trace({front, back, worker});
  aggregator.close_window();
  const auto snap = aggregator.snapshot();
  EXPECT_EQ(
      value(snap, "xray_service_dependency_total", {{"source", "front"}, {"target", "backend"}}),
      1);
  EXPECT_EQ(value(snap, "xray_service_dependency_total", {{"source", "front"}, {"target", "S3"}}),
            1);
  EXPECT_EQ(
      value(snap, "xray_service_dependency_total", {{"source", "front"}, {"target", "worker"}}), 1);
  EXPECT_EQ(value(snap, "xray_service_dependency_health", {{"source", "front"}, {"target", "S3"}}),
            0);
  EXPECT_EQ(
      value(snap, "xray_service_dependency_health", {{"source", "front"}, {"target", "backend"}}),
      1);
  EXPECT_EQ(value(snap, "observo_xray_traces_processed_total", {}), 1);
}

TEST(Aggregator, CountersSurviveSaveAndLoad) {
  Aggregator first;
  first.add(request("api", "https://h/1", 500, 2));
  first.add(request("api", "https://h/1", 200, 2));
  const auto saved = first.save_counters();
  Aggregator second;
  ASSERT_TRUE(second.load_counters(saved).ok());
  second.add(request("api", "https://h/1", 200, 2));
  const auto snap = second.snapshot();
  EXPECT_EQ(value(snap, "xray_service_requests_total", {{"service", "api"}}), 3);
  EXPECT_EQ(value(snap, "xray_service_faults_total", {{"service", "api"}}), 1);
  EXPECT_EQ(find(snap, "xray_service_request_duration_seconds", {{"service", "api"}})->count, 3);
  EXPECT_FALSE(second.load_counters("{\"version\": 99}").ok());
  EXPECT_FALSE(second.load_counters("{\"version\": 1, \"services\": 5}").ok());
  EXPECT_FALSE(second.load_counters("garbage").ok());
  EXPECT_FALSE(second.load_counters("{\"version\": \"1\"}").ok());  // never throws
  // A failed load leaves the counters as they were.
  EXPECT_EQ(value(second.snapshot(), "xray_service_requests_total", {{"service", "api"}}), 3);
}

}  // namespace
}  // namespace observo::xray

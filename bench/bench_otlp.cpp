// OTLP ingest for a Beyla-like payload: one export request with 200 histogram points (15
// bounds, 8 attributes each) under one resource with Beyla's resource attributes. Measures
// (a) protobuf parsing alone (the floor), (b) parsing plus MetricStore::ingest, and (c) the
// whole path over gRPC on loopback into an in-process GrpcReceiver. items_per_second is data
// points per second. Issue target: (c) at most 3x (a) per point.
#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <string>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h"
#include "sources/beyla/grpc_receiver.h"
#include "sources/beyla/metric_store.h"
#include "sources/beyla/receiver.h"
#include "sources/beyla/receiver_stats.h"
#include "sources/beyla/span_metrics.h"

#include <prometheus/registry.h>

namespace {

namespace collector = opentelemetry::proto::collector::metrics::v1;
namespace common_pb = opentelemetry::proto::common::v1;
namespace metrics_pb = opentelemetry::proto::metrics::v1;
using observo::beyla::ExportMetricsServiceRequest;

constexpr int kPoints = 200;

void attribute(google::protobuf::RepeatedPtrField<common_pb::KeyValue>* list,
               const std::string& key, const std::string& value) {
  auto* kv = list->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

ExportMetricsServiceRequest make_payload() {
  ExportMetricsServiceRequest request;
  auto* rm = request.add_resource_metrics();
  auto* resource = rm->mutable_resource()->mutable_attributes();
  attribute(resource, "service.name", "checkout");
  attribute(resource, "service.namespace", "shop");
  attribute(resource, "service.instance.id", "checkout-7d9f8-abcde:4242");
  attribute(resource, "telemetry.sdk.language", "go");
  attribute(resource, "telemetry.sdk.name", "beyla");
  attribute(resource, "telemetry.sdk.version", "2.1.0");
  attribute(resource, "host.name", "node-17");
  attribute(resource, "k8s.namespace.name", "shop");
  auto* sm = rm->add_scope_metrics();
  sm->mutable_scope()->set_name("go.opentelemetry.io/obi");
  auto* metric = sm->add_metrics();
  metric->set_name("http.server.request.duration");
  metric->set_unit("s");
  metric->set_description("duration of HTTP service calls from the server side, in seconds");
  auto* histogram = metric->mutable_histogram();
  histogram->set_aggregation_temporality(metrics_pb::AGGREGATION_TEMPORALITY_CUMULATIVE);
  const double bounds[] = {0,   0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                           0.5, 0.75,  1,    2.5,   5,    7.5,   10};
  const char* methods[] = {"GET", "POST", "PUT", "DELETE"};
  const char* codes[] = {"200", "201", "404", "500", "503"};
  for (int i = 0; i < kPoints; ++i) {
    auto* point = histogram->add_data_points();
    point->set_start_time_unix_nano(1'700'000'000'000'000'000ULL);
    point->set_time_unix_nano(1'700'000'060'000'000'000ULL);
    std::uint64_t count = 0;
    for (const double bound : bounds) {
      point->add_explicit_bounds(bound);
      const auto n = static_cast<std::uint64_t>(i % 7 + 3);
      point->add_bucket_counts(n);
      count += n;
    }
    point->add_bucket_counts(1);
    point->set_count(count + 1);
    point->set_sum(12.5 + i);
    auto* attributes = point->mutable_attributes();
    attribute(attributes, "http.request.method", methods[i % 4]);
    attribute(attributes, "http.response.status_code", codes[i % 5]);
    attribute(attributes, "url.scheme", "http");
    attribute(attributes, "http.route", "/api/v1/items/" + std::to_string(i / 20));
    attribute(attributes, "server.address", "checkout.shop.svc");
    attribute(attributes, "server.port", "8080");
    attribute(attributes, "client.address", "10.0.0." + std::to_string(i % 10));
    attribute(attributes, "network.protocol.version", "1.1");
  }
  return request;
}

const std::string& payload_bytes() {
  static const std::string bytes = make_payload().SerializeAsString();
  return bytes;
}

void BM_Parse(benchmark::State& state) {
  const auto& bytes = payload_bytes();
  for (auto _ : state) {
    ExportMetricsServiceRequest request;
    benchmark::DoNotOptimize(request.ParseFromString(bytes));
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_Parse);

void BM_ParseAndIngest(benchmark::State& state) {
  const auto& bytes = payload_bytes();
  observo::beyla::MetricStore store({});
  for (auto _ : state) {
    ExportMetricsServiceRequest request;
    request.ParseFromString(bytes);
    benchmark::DoNotOptimize(store.ingest(request));
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
}
BENCHMARK(BM_ParseAndIngest);

void BM_GrpcEndToEnd(benchmark::State& state) {
  prometheus::Registry registry;
  observo::beyla::MetricStore store({});
  observo::beyla::SpanMetrics spans({});
  auto auth = observo::beyla::Authenticator::create({}, [](const std::string&) {
                return std::optional<std::string>();
              }).value();
  observo::beyla::InflightLimiter inflight(64);
  auto stats = observo::beyla::make_receiver_stats(registry);
  observo::beyla::ReceiverContext context{store, spans, *auth, inflight, *stats, 4 << 20};
  observo::beyla::GrpcReceiver receiver(context);
  observo::config::OtlpConfig config;
  config.grpc_listen = "127.0.0.1:0";
  if (auto started = receiver.start(config); !started) {
    state.SkipWithError(started.error().c_str());
    return;
  }
  auto stub = collector::MetricsService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(receiver.port()), grpc::InsecureChannelCredentials()));
  const auto request = make_payload();
  for (auto _ : state) {
    grpc::ClientContext call;
    call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    collector::ExportMetricsServiceResponse response;
    const auto status = stub->Export(&call, request, &response);
    if (!status.ok()) {
      state.SkipWithError(status.error_message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kPoints);
  receiver.stop();
}
BENCHMARK(BM_GrpcEndToEnd)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

// Encoding cost per sample of observo's encoders against prometheus-cpp 1.0.1's
// TextSerializer, over the same 100k series: 10 families (5 counters with integral values,
// 5 gauges with fractional ones) x 10k series with service, endpoint and code labels.
// Each benchmark reports `per_sample` (time per sample line) and bytes/s; bench/README.md has
// the figures and the ratio.
#include <benchmark/benchmark.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "observo/metrics/encoder.h"
#include "observo/metrics/hub.h"

namespace {

using observo::metrics::Exposition;
using observo::metrics::Family;
using observo::metrics::MetricType;
using observo::metrics::Series;
using observo::metrics::Snapshot;

constexpr int kFamilies = 10;
constexpr int kSeriesPerFamily = 10000;

constexpr std::array<const char*, 20> kServices = {
    "checkout", "cart",           "payments",      "inventory", "shipping", "catalog", "search",
    "accounts", "recommendation", "notifications", "pricing",   "reviews",  "auth",    "gateway",
    "billing",  "fraud-check",    "media",         "orders",    "loyalty",  "ads"};
constexpr std::array<const char*, 10> kCodes = {"200", "201", "204", "301", "400",
                                                "401", "403", "404", "500", "503"};
constexpr int kEndpoints = 50;

std::string endpoint(int i) {
  static constexpr std::array<const char*, 5> kResources = {"orders", "users", "items", "carts",
                                                            "sessions"};
  return "/api/v" + std::to_string(1 + i % 2) + "/" + kResources[i % 5] + "/" +
         (i % 3 == 0 ? "{id}" : "list") + "/" + std::to_string(i / 10);
}

// The families as observo's sources publish them.
Snapshot make_snapshot() {
  Snapshot snapshot;
  for (int f = 0; f < kFamilies; ++f) {
    const bool counter = f < kFamilies / 2;
    Family family;
    family.name = counter ? "http_server_requests_" + std::to_string(f) + "_total"
                          : "http_server_latency_seconds_" + std::to_string(f);
    family.help = counter ? "Requests served, by service, endpoint and status code."
                          : "Mean latency of the last minute, by service, endpoint and code.";
    family.type = counter ? MetricType::kCounter : MetricType::kGauge;
    family.series.reserve(kSeriesPerFamily);
    for (int i = 0; i < kSeriesPerFamily; ++i) {
      Series series;
      const int service = i % static_cast<int>(kServices.size());
      const int code = (i / static_cast<int>(kServices.size())) % static_cast<int>(kCodes.size());
      const int path = i / static_cast<int>(kServices.size() * kCodes.size());
      // Sorted by name, as make_labels() leaves them.
      series.labels = {{"code", kCodes[code]},
                       {"endpoint", endpoint(path % kEndpoints)},
                       {"service", kServices[service]}};
      series.value = counter ? static_cast<double>(1000003LL * (i + 1) % 987654321)
                             : 0.000731 * (i % 997) + 0.0042 * f;
      family.series.push_back(std::move(series));
    }
    snapshot.families.push_back(std::move(family));
  }
  return snapshot;
}

// The same data as prometheus-cpp's Collect() would hand to its serializer.
std::vector<prometheus::MetricFamily> to_prometheus_cpp(const Snapshot& snapshot) {
  std::vector<prometheus::MetricFamily> families;
  for (const Family& in : snapshot.families) {
    prometheus::MetricFamily family;
    family.name = in.name;
    family.help = in.help;
    family.type = in.type == MetricType::kCounter ? prometheus::MetricType::Counter
                                                  : prometheus::MetricType::Gauge;
    for (const Series& series : in.series) {
      prometheus::ClientMetric metric;
      for (const auto& label : series.labels) metric.label.push_back({label.name, label.value});
      if (in.type == MetricType::kCounter) {
        metric.counter.value = series.value;
      } else {
        metric.gauge.value = series.value;
      }
      family.metric.push_back(std::move(metric));
    }
    families.push_back(std::move(family));
  }
  return families;
}

struct Data {
  Data()
      : exposition(
            observo::metrics::make_exposition({std::make_shared<const Snapshot>(make_snapshot())})),
        prometheus_cpp(to_prometheus_cpp(*exposition.keep_alive.front())) {}
  Exposition exposition;
  std::vector<prometheus::MetricFamily> prometheus_cpp;
};

const Data& data() {
  static const Data instance;
  return instance;
}

void report(benchmark::State& state, std::size_t bytes) {
  const auto samples = static_cast<double>(data().exposition.series_count());
  state.counters["per_sample"] = benchmark::Counter(
      samples, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["samples"] = samples;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
}

// A fresh output string per iteration, as a scrape gets.
template <void (*Encode)(const Exposition&, std::string&)>
void BM_Observo(benchmark::State& state) {
  const Exposition& exposition = data().exposition;
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    Encode(exposition, out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, bytes);
}

void BM_ObservoPrometheusText(benchmark::State& state) {
  BM_Observo<observo::metrics::encode_prometheus>(state);
}
void BM_ObservoOpenMetrics(benchmark::State& state) {
  BM_Observo<observo::metrics::encode_openmetrics>(state);
}
void BM_ObservoJson(benchmark::State& state) { BM_Observo<observo::metrics::encode_json>(state); }
void BM_ObservoCsv(benchmark::State& state) { BM_Observo<observo::metrics::encode_csv>(state); }

void BM_PrometheusCppTextSerializer(benchmark::State& state) {
  const auto& families = data().prometheus_cpp;
  const prometheus::TextSerializer serializer;
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = serializer.Serialize(families);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  report(state, bytes);
}

// What a scrape with Accept-Encoding: gzip costs on top of the text encoding.
void BM_ObservoPrometheusTextGzip(benchmark::State& state) {
  const Exposition& exposition = data().exposition;
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    observo::metrics::encode_prometheus(exposition, out);
    std::string compressed = observo::metrics::gzip_compress(out);
    bytes = out.size();
    benchmark::DoNotOptimize(compressed.data());
  }
  report(state, bytes);
}

BENCHMARK(BM_ObservoPrometheusText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ObservoOpenMetrics)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ObservoJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ObservoCsv)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PrometheusCppTextSerializer)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ObservoPrometheusTextGzip)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

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
#include "bench_data.h"

namespace {

using observo::metrics::Exposition;
using observo::metrics::Family;
using observo::metrics::MetricType;
using observo::metrics::Series;
using observo::metrics::Snapshot;
using observo::bench::make_snapshot;

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

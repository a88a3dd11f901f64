// Decoding and conversion of Vizier row batches (10 columns of mixed types: 2 STRING, 3 INT64,
// 2 FLOAT64, TIME64NS, UINT128, BOOLEAN) to JSON, CSV and metrics: rows and cells per second.
// BM_StreamMillionRowsToCsv also reports the growth of peak RSS (ru_maxrss) while 1M rows go
// from serialized ExecuteScriptResponse messages through the decoder to CSV.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "sources/pixie/decoder.h"
#include "sources/pixie/metrics_mapper.h"
#include "sources/pixie/writers.h"

namespace {

using namespace observo::pixie;

constexpr int kRowsPerBatch = 1024;
constexpr int kColumns = 10;

vizierpb::ExecuteScriptResponse make_meta() {
  vizierpb::ExecuteScriptResponse r;
  r.set_query_id("bench");
  auto* m = r.mutable_meta_data();
  m->set_id("t");
  m->set_name("bench");
  const std::vector<std::pair<const char*, vizierpb::DataType>> columns = {
      {"time_", vizierpb::TIME64NS},   {"upid", vizierpb::UINT128},
      {"namespace", vizierpb::STRING}, {"pod", vizierpb::STRING},
      {"requests", vizierpb::INT64},   {"errors", vizierpb::INT64},
      {"bytes", vizierpb::INT64},      {"latency_ms", vizierpb::FLOAT64},
      {"cpu", vizierpb::FLOAT64},      {"ok", vizierpb::BOOLEAN}};
  for (const auto& [name, type] : columns) {
    auto* c = m->mutable_relation()->add_columns();
    c->set_column_name(name);
    c->set_column_type(type);
  }
  return r;
}

vizierpb::ExecuteScriptResponse make_batch(int seed, bool eos) {
  vizierpb::ExecuteScriptResponse r;
  r.set_query_id("bench");
  auto* b = r.mutable_data()->mutable_batch();
  b->set_table_id("t");
  b->set_num_rows(kRowsPerBatch);
  b->set_eos(eos);
  auto* time = b->add_cols()->mutable_time64ns_data();
  auto* upid = b->add_cols()->mutable_uint128_data();
  auto* ns = b->add_cols()->mutable_string_data();
  auto* pod = b->add_cols()->mutable_string_data();
  auto* requests = b->add_cols()->mutable_int64_data();
  auto* errors = b->add_cols()->mutable_int64_data();
  auto* bytes = b->add_cols()->mutable_int64_data();
  auto* latency = b->add_cols()->mutable_float64_data();
  auto* cpu = b->add_cols()->mutable_float64_data();
  auto* ok = b->add_cols()->mutable_boolean_data();
  for (int i = 0; i < kRowsPerBatch; ++i) {
    const int n = seed * kRowsPerBatch + i;
    time->add_data(1700000000000000000LL + n * 1000003LL);
    auto* u = upid->add_data();
    u->set_high(static_cast<std::uint64_t>(n) * 7919);
    u->set_low(static_cast<std::uint64_t>(n) * 104729);
    ns->add_data("namespace-" + std::to_string(n % 8));
    pod->add_data("namespace-" + std::to_string(n % 8) + "/pod-" + std::to_string(n % 100));
    requests->add_data(n % 1000);
    errors->add_data(n % 7);
    bytes->add_data(static_cast<std::int64_t>(n) * 1500);
    latency->add_data(0.125 * (n % 977));
    cpu->add_data(1.0 / (1 + n % 13));
    ok->add_data(n % 3 != 0);
  }
  return r;
}

const vizierpb::ExecuteScriptResponse& meta() {
  static const auto m = make_meta();
  return m;
}
const vizierpb::ExecuteScriptResponse& batch() {
  static const auto b = make_batch(1, false);
  return b;
}

Output counting(std::size_t& bytes) {
  return [&bytes](std::string_view text) -> observo::Result<void> {
    bytes += text.size();
    return {};
  };
}

void report(benchmark::State& state, std::size_t rows) {
  state.SetItemsProcessed(static_cast<std::int64_t>(rows));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["cells/s"] =
      benchmark::Counter(static_cast<double>(rows * kColumns), benchmark::Counter::kIsRate);
}

template <typename Writer, typename... Args>
void decode_into(benchmark::State& state, Args... args) {
  const std::string wire = batch().SerializeAsString();
  std::size_t rows = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    Writer writer(counting(bytes), args...);
    ResponseDecoder decoder(writer);
    decoder.feed(meta());
    for (int i = 0; i < 16; ++i) {
      vizierpb::ExecuteScriptResponse response;
      response.ParseFromString(wire);  // decoding starts at the wire bytes
      decoder.feed(response);
    }
    rows += 16 * kRowsPerBatch;
  }
  benchmark::DoNotOptimize(bytes);
  report(state, rows);
}

void BM_DecodeToJson(benchmark::State& state) {
  decode_into<JsonWriter>(state, RunInfo{"bench", "2024-01-01T00:00:00.000000000Z"},
                          TimeFormat::kRfc3339);
}
BENCHMARK(BM_DecodeToJson)->Unit(benchmark::kMillisecond);

void BM_DecodeToCsv(benchmark::State& state) {
  decode_into<CsvWriter>(state, TimeFormat::kRfc3339);
}
BENCHMARK(BM_DecodeToCsv)->Unit(benchmark::kMillisecond);

void BM_DecodeToMetrics(benchmark::State& state) {
  const std::string wire = batch().SerializeAsString();
  Script script;
  script.name = "bench";
  script.builtin = false;
  script.labels = {"namespace", "pod"};
  std::size_t rows = 0;
  for (auto _ : state) {
    TableCollector collector;
    ResponseDecoder decoder(collector);
    decoder.feed(meta());
    for (int i = 0; i < 4; ++i) {
      vizierpb::ExecuteScriptResponse response;
      response.ParseFromString(wire);
      decoder.feed(response);
    }
    auto snapshot = to_snapshot(map_tables(script, collector.tables(), "bench"));
    benchmark::DoNotOptimize(snapshot);
    rows += 4 * kRowsPerBatch;
  }
  report(state, rows);
}
BENCHMARK(BM_DecodeToMetrics)->Unit(benchmark::kMillisecond);

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void BM_StreamMillionRowsToCsv(benchmark::State& state) {
  constexpr int kBatches = 1'000'000 / kRowsPerBatch + 1;  // 1,000,448 rows
  std::vector<std::string> wires;
  for (int i = 0; i < 8; ++i) wires.push_back(make_batch(i, false).SerializeAsString());
  const std::string last = make_batch(9, true).SerializeAsString();
  const long before = peak_rss_kib();
  std::size_t bytes = 0;
  std::size_t rows = 0;
  for (auto _ : state) {
    CsvWriter writer(counting(bytes), TimeFormat::kRfc3339);
    ResponseDecoder decoder(writer);
    decoder.feed(meta());
    for (int i = 0; i < kBatches; ++i) {
      vizierpb::ExecuteScriptResponse response;
      response.ParseFromString(i + 1 == kBatches ? last : wires[static_cast<std::size_t>(i % 8)]);
      decoder.feed(response);
    }
    decoder.finish();
    rows += static_cast<std::size_t>(kBatches) * kRowsPerBatch;
  }
  state.counters["peak_rss_growth_MiB"] = static_cast<double>(peak_rss_kib() - before) / 1024.0;
  state.counters["csv_MiB"] =
      static_cast<double>(bytes) / 1048576.0 / static_cast<double>(state.iterations());
  report(state, rows);
}
BENCHMARK(BM_StreamMillionRowsToCsv)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();

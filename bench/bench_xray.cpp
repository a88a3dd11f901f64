// The xray source's hot paths: daemon datagrams through framing, segment parsing, dedup and
// aggregation on a realistic mix; and the processed-ID store at 1M IDs (memory per ID, save
// and load time). Figures and how to reproduce them: bench/README.md and docs/xray.md.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "sources/xray/aggregator.h"
#include "sources/xray/id_store.h"
#include "sources/xray/segment.h"

namespace {

using observo::xray::Aggregator;
using observo::xray::TraceIdStore;

std::string hex(std::mt19937_64& random, int digits) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < digits; ++i) out.push_back(kHex[random() % 16]);
  return out;
}

// A realistic mix like the Node SDK emits: 20 services, 200 URLs (numeric IDs in paths), 5 %
// 4xx, 1 % 5xx, a third with one remote and one AWS subsegment, 0.8 kB to 1.5 kB each.
std::vector<std::string> make_datagrams(std::size_t count) {
  std::mt19937_64 random(42);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    const int status = random() % 100 < 1 ? 503 : random() % 100 < 5 ? 404 : 200;
    const double start = 1.7e9 + static_cast<double>(i) * 0.001;
    std::string doc =
        "{\"trace_id\":\"1-6b014921-" + hex(random, 24) + "\",\"id\":\"" + hex(random, 16) +
        "\",\"start_time\":" + std::to_string(start) +
        ",\"end_time\":" + std::to_string(start + (random() % 500) / 1000.0) +
        ",\"name\":\"service-" + std::to_string(random() % 20) +
        "\",\"service\":{\"runtime\":\"node\",\"runtime_version\":\"v20.20.2\"},"
        "\"aws\":{\"xray\":{\"sdk\":\"X-Ray for Node.js\",\"sdk_version\":\"3.12.0\"}},"
        "\"http\":{\"request\":{\"method\":\"GET\",\"user_agent\":\"curl/8\","
        "\"client_ip\":\"10.0.0." +
        std::to_string(random() % 50) + "\",\"url\":\"https://shop.example/api/items/" +
        std::to_string(random() % 200) +
        "?page=2\"},\"response\":{\"status\":" + std::to_string(status) + "}}";
    if (status == 404) doc += ",\"error\":true";
    if (status == 503) doc += ",\"fault\":true";
    if (i % 3 == 0) {
      doc += ",\"subsegments\":[{\"id\":\"" + hex(random, 16) +
             "\",\"name\":\"inventory.internal\",\"namespace\":\"remote\",\"start_time\":1,"
             "\"end_time\":2,\"http\":{\"request\":{\"url\":\"http://inventory.internal/x\","
             "\"method\":\"GET\"},\"response\":{\"status\":200}}},{\"id\":\"" +
             hex(random, 16) +
             "\",\"name\":\"DynamoDB\",\"namespace\":\"aws\",\"start_time\":1,\"end_time\":2,"
             "\"aws\":{\"operation\":\"GetItem\",\"table_name\":\"orders\"}}]";
    }
    doc += "}";
    out.push_back("{\"format\":\"json\",\"version\":1}\n" + doc);
  }
  return out;
}

void BM_XraySegments(benchmark::State& state) {
  const auto datagrams = make_datagrams(10000);
  Aggregator aggregator;
  TraceIdStore ids(1'000'000);
  std::size_t i = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto& datagram = datagrams[i++ % datagrams.size()];
    bytes += datagram.size();
    const auto body = observo::xray::split_datagram(datagram);
    auto segment = observo::xray::parse_segment(*body);
    const auto key = observo::xray::segment_key(segment->trace_id, segment->id);
    ids.insert(*key,
               static_cast<std::uint32_t>(i));  // later passes are duplicates, still looked up
    aggregator.add(*segment);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_XraySegments);

TraceIdStore filled_store(std::size_t n) {
  TraceIdStore store(n);
  std::mt19937_64 random(7);
  for (std::size_t i = 0; i < n; ++i)
    store.insert({random(), random()}, static_cast<std::uint32_t>(i));
  return store;
}

void BM_TraceIdStoreInsert1M(benchmark::State& state) {
  const std::size_t n = 1'000'000;
  for (auto _ : state) {
    auto store = filled_store(n);
    state.counters["bytes_per_id"] =
        static_cast<double>(store.memory_bytes()) / static_cast<double>(store.size());
    benchmark::DoNotOptimize(store);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_TraceIdStoreInsert1M)->Unit(benchmark::kMillisecond)->Iterations(3);

std::string temp_path() { return "/tmp/observo-bench-xray-" + std::to_string(::getpid()) + ".bin"; }

void BM_TraceIdStoreSave1M(benchmark::State& state) {
  const auto store = filled_store(1'000'000);
  const auto path = temp_path();
  for (auto _ : state) {
    if (!store.save(path)) state.SkipWithError("save failed");
  }
  std::remove(path.c_str());
}
BENCHMARK(BM_TraceIdStoreSave1M)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_TraceIdStoreLoad1M(benchmark::State& state) {
  const auto path = temp_path();
  if (!filled_store(1'000'000).save(path)) state.SkipWithError("save failed");
  for (auto _ : state) {
    auto loaded = TraceIdStore::load(path, 1'000'000);
    if (!loaded || loaded->size() != 1'000'000) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(loaded);
  }
  std::remove(path.c_str());
}
BENCHMARK(BM_TraceIdStoreLoad1M)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();

// Cost of the live instruments observo's own code increments on hot paths: one
// prometheus::Counter shared by 1 and by 2 threads (the contended case is a CAS loop on one
// atomic<double> in prometheus-cpp 1.0.1).
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

namespace {

prometheus::Counter& shared_counter() {
  static prometheus::Registry registry;
  static prometheus::Counter& counter = prometheus::BuildCounter()
                                            .Name("bench_increments_total")
                                            .Help("Increments made by the benchmark.")
                                            .Register(registry)
                                            .Add({{"thread", "any"}});
  return counter;
}

void BM_CounterIncrement(benchmark::State& state) {
  prometheus::Counter& counter = shared_counter();
  for (auto _ : state) counter.Increment();
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_CounterIncrement)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

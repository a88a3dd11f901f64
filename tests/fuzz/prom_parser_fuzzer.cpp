// libFuzzer target for the Prometheus / OpenMetrics text parser of the scrape client: arbitrary
// bytes as a scraped page, with the default limits and with tiny ones, checking what a good
// parse promises (limits held, buckets and quantiles ascending, no label named le on a bucket).
// Built with clang++ (tests/fuzz/CMakeLists.txt); ctest runs it for a bounded time.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/beyla/prom_parser.h"

namespace {

void check(const observo::metrics::Snapshot& snapshot,
           const observo::beyla::PromParseLimits& limits) {
  std::size_t series = 0;
  for (const auto& family : snapshot.families) {
    if (family.name.empty() || family.series.empty()) __builtin_trap();
    for (const auto& s : family.series) {
      ++series;
      if (s.labels.size() > limits.max_labels) __builtin_trap();
      for (std::size_t i = 0; i < s.labels.size(); ++i) {
        if (s.labels[i].value.size() > limits.max_label_value_bytes) __builtin_trap();
        if (i > 0 && !(s.labels[i - 1].name < s.labels[i].name)) __builtin_trap();
      }
      for (std::size_t i = 1; i < s.buckets.size(); ++i) {
        if (!(s.buckets[i - 1].upper_bound < s.buckets[i].upper_bound)) __builtin_trap();
      }
      for (std::size_t i = 1; i < s.quantiles.size(); ++i) {
        if (s.quantiles[i - 1].quantile > s.quantiles[i].quantile) __builtin_trap();
      }
    }
  }
  if (series > limits.max_series) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view page(reinterpret_cast<const char*>(data), size);
  const observo::beyla::PromParseLimits defaults;
  if (auto parsed = observo::beyla::parse_prometheus_text(page, defaults); parsed.ok()) {
    check(*parsed, defaults);
  }
  observo::beyla::PromParseLimits tiny;
  tiny.max_series = 3;
  tiny.max_families = 3;
  tiny.max_samples = 8;
  tiny.max_labels = 2;
  tiny.max_label_value_bytes = 4;
  tiny.max_name_bytes = 8;
  if (auto parsed = observo::beyla::parse_prometheus_text(page, tiny); parsed.ok()) {
    check(*parsed, tiny);
  }
  return 0;
}

// The flattened view of a family that the JSON and CSV encoders share: every histogram and
// summary series expands into the same sample lines the Prometheus text format writes (buckets
// with `le`, `+Inf`, `_sum`, `_count`; quantiles, `_sum`, `_count`), so a row in a spreadsheet
// matches a line of /metrics. Also the output size estimate that lets each encoder reserve once.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include "observo/metrics/encoder.h"
#include "observo/metrics/hub.h"

namespace observo::metrics::detail {

struct SampleLine {
  std::string_view suffix;  // appended to the family name: "", "_bucket", "_sum", "_count"
  const Series* series = nullptr;
  std::string_view extra_name;   // "le", "quantile" or empty; written after the series labels
  std::string_view extra_value;  // as Prometheus text writes it ("0.5", "+Inf")
  double value = 0;

  // A series label with the same name as the extra label would duplicate it; the extra wins.
  bool shadowed(const Label& label) const {
    return !extra_name.empty() && label.name == extra_name;
  }
};

// Labels live in their own heap blocks (the vector, and the characters of long values), so
// walking 100k series is bound by cache misses, not by formatting. Prefetching two steps ahead
// (the label vectors of series i+8, the strings of series i+4, whose vector has arrived by then)
// overlaps those misses with the formatting of series i.
inline void prefetch_labels(const Series* series, std::size_t count, std::size_t i) {
  constexpr std::size_t kVectorDistance = 8;
  constexpr std::size_t kStringDistance = 4;
  if (i + kVectorDistance < count) __builtin_prefetch(series[i + kVectorDistance].labels.data());
  if (i + kStringDistance < count) {
    for (const Label& label : series[i + kStringDistance].labels) {
      __builtin_prefetch(label.name.data());
      __builtin_prefetch(label.value.data());
    }
  }
}

template <typename Fn>
void for_each_series(const FamilyView& view, Fn&& fn) {
  for (const auto* part : view.parts) {
    for (const Series& series : *part) fn(series);
  }
}

// Calls fn(const SampleLine&) for every sample line of `view`, in exposition order.
template <typename Fn>
void for_each_sample(const FamilyView& view, Fn&& fn) {
  const MetricType type = view.meta->type;
  std::string extra;
  for_each_series(view, [&](const Series& series) {
    SampleLine line;
    line.series = &series;
    if (type == MetricType::kHistogram) {
      line.suffix = "_bucket";
      line.extra_name = "le";
      for (const Bucket& bucket : series.buckets) {
        if (!std::isfinite(bucket.upper_bound)) continue;  // +Inf is written from count
        extra.clear();
        append_number(extra, bucket.upper_bound);
        line.extra_value = extra;
        line.value = bucket.cumulative_count;
        fn(line);
      }
      line.extra_value = "+Inf";
      line.value = series.count;
      fn(line);
    } else if (type == MetricType::kSummary) {
      line.suffix = "";
      line.extra_name = "quantile";
      for (const Quantile& quantile : series.quantiles) {
        extra.clear();
        append_number(extra, quantile.quantile);
        line.extra_value = extra;
        line.value = quantile.value;
        fn(line);
      }
    } else {
      line.value = series.value;
      fn(line);
      return;
    }
    line.extra_name = {};
    line.extra_value = {};
    line.suffix = "_sum";
    line.value = series.sum;
    fn(line);
    line.suffix = "_count";
    line.value = series.count;
    fn(line);
  });
}

// Sample lines one series of `family` expands into.
inline std::size_t lines_per_series(MetricType type, const Series& series) {
  switch (type) {
    case MetricType::kHistogram:
      return series.buckets.size() + 3;
    case MetricType::kSummary:
      return series.quantiles.size() + 2;
    default:
      return 1;
  }
}

// A guess of the encoded size, from the first series of each family, so that an encoder can
// reserve the output once instead of growing it a few dozen times for a large exposition.
inline std::size_t estimate_size(const Exposition& exposition, std::size_t per_label,
                                 std::size_t per_line) {
  std::size_t total = 0;
  for (const FamilyView& view : exposition.families) {
    if (view.meta == nullptr) continue;
    const std::size_t count = view.series_count();
    total += view.meta->help.size() + 2 * view.meta->name.size() + 64;
    if (count == 0) continue;
    const Series* first = nullptr;
    for (const auto* part : view.parts) {
      if (!part->empty()) {
        first = &part->front();
        break;
      }
    }
    std::size_t line = view.meta->name.size() + per_line;
    for (const Label& label : first->labels) {
      line += label.name.size() + label.value.size() + per_label;
    }
    total += line * lines_per_series(view.meta->type, *first) * count;
  }
  return total;
}

}  // namespace observo::metrics::detail

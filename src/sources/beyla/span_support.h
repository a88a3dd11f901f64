// Small pieces shared by the span metrics and the service graph: the one series budget both draw
// from (so that no span input can grow memory without bound) and the label value cap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "observo/metrics/snapshot.h"

namespace observo::beyla {

// Label values longer than this are cut (at a UTF-8 character boundary).
inline constexpr std::size_t kMaxSpanLabelValueBytes = 2048;

inline std::string capped_label_value(std::string_view value) {
  if (value.size() <= kMaxSpanLabelValueBytes) return std::string(value);
  std::size_t size = kMaxSpanLabelValueBytes;
  // Step back over continuation bytes (10xxxxxx) so a multi-byte character is not split.
  while (size > 0 && (static_cast<unsigned char>(value[size]) & 0xC0) == 0x80) --size;
  return std::string(value.substr(0, size));
}

// A family without series yet.
inline metrics::Family family(std::string name, metrics::MetricType type, std::string help) {
  metrics::Family f;
  f.name = std::move(name);
  f.type = type;
  f.help = std::move(help);
  return f;
}

// A family of one series without labels (the self-metrics).
inline metrics::Family single(std::string name, metrics::MetricType type, std::string help,
                              double value) {
  auto f = family(std::move(name), type, std::move(help));
  metrics::Series series;
  series.value = value;
  f.series.push_back(std::move(series));
  return f;
}

// A duration histogram in seconds over fixed bounds (ascending, +Inf implied), as the span
// metrics and the service graph keep one per series.
struct DurationHistogram {
  std::vector<double> counts;  // per bound, not cumulative; empty until the first observation
  double sum = 0;
  double count = 0;

  void observe(const std::vector<double>& bounds, double seconds) {
    if (counts.empty()) counts.assign(bounds.size(), 0);
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    if (static_cast<std::size_t>(bucket) < bounds.size()) counts[bucket] += 1;
    sum += seconds;
    count += 1;
  }

  // The series with cumulative buckets.
  metrics::Series series(const std::vector<double>& bounds, metrics::Labels labels) const {
    metrics::Series out;
    out.labels = std::move(labels);
    out.buckets.reserve(bounds.size());
    double cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      if (i < counts.size()) cumulative += counts[i];
      out.buckets.push_back({bounds[i], cumulative});
    }
    out.sum = sum;
    out.count = count;
    return out;
  }
};

// Counts the Series the span families hold: a RED label set holds three (calls, errors,
// duration histogram), a service graph edge four (requests, failed requests, client and server
// duration histograms). Label text is
// budgeted too (max_bytes), since a series count alone allows 2 KiB values everywhere.
struct SeriesBudget {
  std::size_t held = 0;
  std::size_t max = 0;
  std::size_t bytes = 0;  // label names and values of the held label sets
  std::size_t max_bytes = 64 * 1024 * 1024;
  std::uint64_t rejections = 0;  // new label sets refused because the budget was spent

  bool fits(std::size_t n, std::size_t label_bytes) const {
    return held + n <= max && bytes + label_bytes <= max_bytes;
  }
  bool take(std::size_t n, std::size_t label_bytes) {
    if (!fits(n, label_bytes)) {
      ++rejections;
      return false;
    }
    held += n;
    bytes += label_bytes;
    return true;
  }
  void release(std::size_t n, std::size_t label_bytes) {
    held = n > held ? 0 : held - n;
    bytes = label_bytes > bytes ? 0 : bytes - label_bytes;
  }
};

}  // namespace observo::beyla

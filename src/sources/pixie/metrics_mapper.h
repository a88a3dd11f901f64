// Script results -> metric samples -> snapshots.
//
// Builtin scripts map named columns to the earlier connector's metric names
// (pixie_http_requests_total, pixie_pod_cpu_usage_ratio, ...); user scripts without a mapping
// turn every numeric column into a gauge pixie_<script>_<column> and string columns into labels
// (at most kMaxLabelColumns). Every sample carries cluster_id. The "namespace/" prefix Pixie
// writes in pod and service names is removed (the namespace is its own label).
//
// The accumulator makes counters real counters: each scheduled run covers the window since the
// previous one, so its counts are added to the running totals; gauges are replaced; a series
// not seen for kStaleRuns runs is dropped.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "sources/pixie/scripts.h"
#include "sources/pixie/writers.h"

namespace observo::pixie {

struct Sample {
  std::string metric;
  bool counter = false;
  std::string help;
  metrics::Labels labels;
  double value = 0;
};

inline constexpr std::size_t kMaxLabelColumns = 8;

std::vector<Sample> map_tables(const Script& script, const std::vector<CollectedTable>& tables,
                               const std::string& cluster_id);

// Samples as one snapshot, counters holding the window's counts (for /api/v1/metrics?script=).
metrics::Snapshot to_snapshot(const std::vector<Sample>& samples);

// Not thread-safe: one per (cluster, script), used by that cluster's thread.
class CounterAccumulator {
 public:
  static constexpr int kStaleRuns = 10;
  metrics::Snapshot apply(const std::vector<Sample>& samples);

 private:
  struct Entry {
    std::string metric;
    metrics::Labels labels;
    std::string help;
    double value = 0;
    int missed = 0;
  };
  std::map<std::string, Entry> counters_;  // by series_key()
};

std::string metric_name_part(std::string_view text);  // [a-z0-9_] only
// metric + labels as one map key.
std::string series_key(const std::string& metric, const metrics::Labels& labels);

}  // namespace observo::pixie

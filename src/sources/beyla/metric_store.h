// OTLP metrics into Prometheus families, as the OpenTelemetry collector's Prometheus exporter
// does (rules: ../shared/ref/otlp-and-beyla.md section 4; docs/otlp.md): names with unit and
// type suffixes, sanitised labels, job/instance from service.* resource attributes,
// target_info, scope labels; cumulative and delta sums, gauges, histograms (exponential ones
// converted to classic buckets), summaries; no-recorded-value points delete their series;
// idle series expire; a second type under one name is rejected and counted.
//
// Thread safety: every member may be called from any thread (one mutex; snapshot() builds a
// new immutable Snapshot only when something changed since the last one).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "sources/beyla/ingest.h"

namespace observo::beyla {

struct StoreOptions {
  std::vector<std::string> resource_attributes;  // OTLP keys copied onto every series
  bool scope_labels = true;                      // otel_scope_name, otel_scope_version
  std::chrono::milliseconds expiration{300'000};
  std::size_t max_series = 200'000;  // over all families; points of new series beyond it rejected
};

class MetricStore final : public MetricsIngest {
 public:
  using Clock = std::chrono::steady_clock;

  explicit MetricStore(StoreOptions options);
  ~MetricStore() override;

  IngestOutcome ingest(const ExportMetricsServiceRequest& request) override;
  IngestOutcome ingest(const ExportMetricsServiceRequest& request, Clock::time_point now);

  // Every live series (expired ones dropped first), plus the store's own families
  // (observo_otlp_series, observo_otlp_type_conflicts_total, ...).
  metrics::SnapshotPtr snapshot();
  metrics::SnapshotPtr snapshot(Clock::time_point now);

  std::size_t series_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace observo::beyla

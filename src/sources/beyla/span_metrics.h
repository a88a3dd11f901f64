// Spans into RED metrics and service graph edges (docs/otlp.md):
//  - from SERVER and CONSUMER spans: traces_span_metrics_calls_total,
//    traces_span_metrics_errors_total (status ERROR or an HTTP 5xx) and the histogram
//    traces_span_metrics_duration_seconds, by job, instance, service_name,
//    service_namespace, span_name, span_kind (SPAN_KIND_SERVER / _CONSUMER) and status_code
//    (STATUS_CODE_UNSET / _OK / _ERROR); labels with empty values are left out. The errors
//    counter starts at 0 with calls, so that rate() works before the first error;
//  - a CLIENT/PRODUCER span and its SERVER/CONSUMER child (parent_span_id = the client's
//    span_id, same trace_id), from any two services, make one edge:
//    traces_service_graph_request_total and traces_service_graph_request_failed_total by
//    client and server. Halves wait service_graph_wait for each other (bounded), then drop.
//    Failed: client status ERROR, or server status ERROR / HTTP 5xx.
//  - spans with bad IDs (trace_id not 16 bytes or zero, span_id not 8 or zero, parent_span_id
//    neither empty nor 8) or end before start are rejected; all valid spans are accepted.
//  - max_series counts Series: a RED label set costs 3, an edge 2; label values cut at 2 KiB;
//    label text held at most 64 MiB, pending halves at most 32 MiB.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "sources/beyla/ingest.h"

namespace observo::beyla {

struct SpanMetricsOptions {
  bool span_metrics = true;
  bool service_graph = true;
  std::chrono::milliseconds service_graph_wait{10'000};
  std::chrono::milliseconds expiration{300'000};  // idle series disappear
  std::size_t max_pending = 100'000;              // unpaired span halves kept at most
  std::size_t max_series = 100'000;               // over all span metric families
  std::vector<double> duration_buckets = {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                          0.5,   0.75, 1,     2.5,  5,     7.5, 10};
};

class SpanMetrics final : public TraceIngest {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SpanMetrics(SpanMetricsOptions options);
  ~SpanMetrics() override;

  IngestOutcome ingest(const ExportTraceServiceRequest& request) override;
  IngestOutcome ingest(const ExportTraceServiceRequest& request, Clock::time_point now);

  // The span metric and service graph families, plus their own self-metrics
  // (observo_otlp_service_graph_unpaired_total, ...). Expires idle series and old halves.
  metrics::SnapshotPtr snapshot();
  metrics::SnapshotPtr snapshot(Clock::time_point now);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace observo::beyla

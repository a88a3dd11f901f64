// What the OTLP receivers hand their decoded export requests to, and what they get back: the
// seam between transport (grpc_receiver, http_receiver) and translation (metric_store,
// span_metrics). Implementations are thread-safe: every receiver thread calls them.
#pragma once

#include <cstdint>
#include <string>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace observo::beyla {

// The outcome of one export request. `rejected` > 0 turns into OTLP partial_success
// (rejected_data_points / rejected_spans with error_message); full success leaves it unset.
struct IngestOutcome {
  std::int64_t accepted = 0;  // data points (metrics) or spans (traces) taken in
  std::int64_t rejected = 0;
  std::string error_message;  // why points were rejected (the first reasons); empty when none
};

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

class MetricsIngest {
 public:
  virtual ~MetricsIngest() = default;
  virtual IngestOutcome ingest(const ExportMetricsServiceRequest& request) = 0;
};

class TraceIngest {
 public:
  virtual ~TraceIngest() = default;
  virtual IngestOutcome ingest(const ExportTraceServiceRequest& request) = 0;
};

}  // namespace observo::beyla

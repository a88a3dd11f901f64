// observo's own metrics: liveness, build info, per-source health and the process metrics that
// Prometheus client libraries export (process_cpu_seconds_total and friends).
#pragma once

#include <memory>
#include <string>

#include "observo/metrics/hub.h"
#include "observo/source.h"

namespace prometheus {
class Counter;
}

namespace observo::metrics {

// Reads /proc/self at every collection. Fails soft: a value it cannot read is left out.
class ProcessCollector : public Collector {
 public:
  SnapshotPtr collect() override;
};

// observo_source_up{source} for every enabled source on the board.
class SourceUpCollector : public Collector {
 public:
  explicit SourceUpCollector(const SourceBoard& board) : board_(board) {}
  SnapshotPtr collect() override;

 private:
  const SourceBoard& board_;
};

// Registers observo_connector_up, observo_connector_build_info{version,revision} and the
// observo_connector_queries_total family in the hub's registry, and adds the source-up and
// (optionally) process collectors.
void register_self_metrics(Hub& hub, const SourceBoard& board, bool process_metrics);

// The queries counter family, filled by the sources (labels cluster_id, script, status).
prometheus::Family<prometheus::Counter>& queries_total(Hub& hub);

}  // namespace observo::metrics

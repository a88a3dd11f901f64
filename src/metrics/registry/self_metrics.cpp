#include "observo/metrics/self_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "observo/common/build_info.h"

namespace observo::metrics {

void register_self_metrics(Hub& hub, const SourceBoard& board, bool process_metrics) {
  auto& registry = hub.registry();
  prometheus::BuildGauge()
      .Name("observo_connector_up")
      .Help("1 while the observo daemon is running.")
      .Register(registry)
      .Add({})
      .Set(1);
  prometheus::BuildGauge()
      .Name("observo_connector_build_info")
      .Help("Build information of the running observo binary; the value is always 1.")
      .Register(registry)
      .Add({{"version", std::string(version())}, {"revision", std::string(revision())}})
      .Set(1);
  queries_total(hub);
  hub.add_collector("self/source_up", std::make_shared<SourceUpCollector>(board));
  if (process_metrics) hub.add_collector("self/process", std::make_shared<ProcessCollector>());
}

prometheus::Family<prometheus::Counter>& queries_total(Hub& hub) {
  // Registering the same name and help again returns the existing family (Merge behaviour).
  return prometheus::BuildCounter()
      .Name("observo_connector_queries_total")
      .Help("Queries run against sources, by cluster, script and outcome.")
      .Register(hub.registry());
}

SnapshotPtr SourceUpCollector::collect() {
  Family family{"observo_source_up", "1 when the source's last collection succeeded, else 0.",
                MetricType::kGauge, {}};
  for (const auto& status : board_.list()) {
    if (!status.enabled) continue;
    family.series.push_back({{{"source", status.name}}, status.up ? 1.0 : 0.0, {}, {}, 0, 0});
  }
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->families.push_back(std::move(family));
  return snapshot;
}

}  // namespace observo::metrics

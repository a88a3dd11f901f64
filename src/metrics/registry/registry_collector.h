// Adapts prometheus-cpp's registry of live instruments to the Hub's snapshot model.
#pragma once

#include <prometheus/registry.h>

#include "observo/metrics/hub.h"

namespace observo::metrics {

class RegistryCollector : public Collector {
 public:
  explicit RegistryCollector(prometheus::Collectable& registry) : registry_(registry) {}
  SnapshotPtr collect() override;

 private:
  prometheus::Collectable& registry_;
};

// Converts prometheus-cpp's collected families (exposed for tests).
Snapshot to_snapshot(const std::vector<prometheus::MetricFamily>& families);

}  // namespace observo::metrics

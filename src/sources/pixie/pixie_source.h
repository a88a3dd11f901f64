// The Pixie source of `observo server`: one thread per cluster of pixie.clusters runs the
// scripts of pixie.scripts every `interval`, each run asking for exactly the window since the
// previous successful run (no overlap, no gap), and publishes the mapped metrics per
// (cluster, script) into the Hub. Also publishes observo_source_up{source="pixie",cluster_id},
// the certificate expiry gauges, and the query self-metrics.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "observo/config/config.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"
#include "sources/pixie/client.h"
#include "sources/pixie/metrics_mapper.h"
#include "sources/pixie/scripts.h"

namespace observo::pixie {

class PixieSource : public Source {
 public:
  PixieSource(config::PixieConfig config, metrics::Hub& hub, SourceBoard& board);
  ~PixieSource() override;

  std::string name() const override { return "pixie"; }
  Result<void> start() override;
  void stop() override;

 private:
  struct Cluster {
    config::PixieClusterConfig config;
    std::unique_ptr<VizierClient> client;
    std::map<std::string, std::int64_t> last_end_ns;  // per script: end of the last window
    std::map<std::string, CounterAccumulator> counters;
    std::map<std::string, std::string> last_error;  // per script, to log each error once
    bool up = false;
    std::thread thread;
  };

  void loop(Cluster& cluster);
  void run_once(Cluster& cluster);
  bool run_script(Cluster& cluster, const Script& script);
  void publish_up();

  config::PixieConfig config_;
  metrics::Hub& hub_;
  SourceBoard& board_;
  std::vector<Script> scripts_;
  std::vector<std::unique_ptr<Cluster>> clusters_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace observo::pixie

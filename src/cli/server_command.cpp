// `observo server`: loads the configuration, builds the registry, starts the HTTP server and
// waits for SIGTERM or SIGINT, then shuts down gracefully.
#include <signal.h>

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "cli/certificate_gauges.h"
#include "cli/commands.h"
#include "cli/pixie_api.h"
#include "cli/sources.h"
#include "observo/common/build_info.h"
#include "observo/common/logging.h"
#include "observo/http/server.h"
#include "observo/metrics/self_metrics.h"
#include "observo/source.h"

namespace observo::cli {
namespace {

metrics::HubOptions hub_options(const config::MetricsConfig& config) {
  metrics::HubOptions options;
  options.max_series_per_family = config.max_series_per_family;
  options.series_caps = config.series_caps;
  return options;
}

void declare_sources(SourceBoard& board, const config::Config& config) {
  board.declare("pixie", config.pixie.enabled);
  board.declare("beyla", config.otlp.enabled);
  board.declare("netprobe", config.netprobe.enabled);
  board.declare("xray", config.xray.enabled);
}

// Blocks the shutdown signals in this thread before any other thread starts, so every thread
// inherits the mask and only sigwait() below receives them.
sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int run_server(const GlobalOptions& options) {
  const auto config = load_config_or_report(options);
  if (!config) return kExitUsage;
  logging::setup(*logging::parse_level(config->log.level),
                 *logging::parse_format(config->log.format));
  spdlog::info("observo {} (revision {}) starting with configuration {}", version(), revision(),
               config->source);

  const sigset_t signals = block_shutdown_signals();

  metrics::Hub hub(hub_options(config->metrics));
  SourceBoard board;
  declare_sources(board, *config);
  metrics::register_self_metrics(hub, board, config->metrics.process_metrics);
  // Before anything serves with them: the warnings come first in the log.
  publish_certificate_gauges(hub, *config);

  http::AppContext context{*config, hub, board};
  const auto pixie_api = make_pixie_api(config->pixie);
  context.api = pixie_api.get();
  http::Server server(context);
  if (auto started = server.start(); !started) {
    spdlog::error("cannot start the HTTP server: {}", started.error());
    return kExitFailed;
  }
  auto sources = make_sources(*config, hub, board);
  if (!sources) {
    spdlog::error("cannot set up the sources: {}", sources.error());
    server.stop();
    return kExitUsage;
  }
  for (auto& source : *sources) {
    if (auto started = source->start(); !started) {
      spdlog::error("cannot start source {}: {}", source->name(), started.error());
      for (auto& s : *sources) s->stop();
      server.stop();
      return kExitFailed;
    }
  }
  context.ready = true;
  spdlog::info("ready");

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}, shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  for (auto it = sources->rbegin(); it != sources->rend(); ++it) (*it)->stop();
  server.stop();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace observo::cli

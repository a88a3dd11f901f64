#include "cli/sources.h"

// Source factories (one include per source).
#include "sources/beyla/beyla_source.h"
#include "sources/netprobe/netprobe_source.h"
#include "sources/pixie/pixie_source.h"
#include "sources/xray/xray_source.h"

namespace observo::cli {

Result<std::vector<std::unique_ptr<Source>>> make_sources(const config::Config& config,
                                                          metrics::Hub& hub, SourceBoard& board) {
  std::vector<std::unique_ptr<Source>> sources;
  // One block per enabled source, in this order: pixie, beyla (otlp), netprobe, xray.
  if (config.pixie.enabled) {
    sources.push_back(std::make_unique<pixie::PixieSource>(config.pixie, hub, board));
  }
  if (config.otlp.enabled) {
    sources.push_back(std::make_unique<beyla::BeylaSource>(config.otlp, hub, board));
  }
  if (config.netprobe.enabled) {
    sources.push_back(netprobe::make_netprobe_source(config.netprobe, hub, board));
  }
  if (config.xray.enabled) {
    sources.push_back(std::make_unique<xray::XraySource>(config.xray, hub, board));
  }
  return sources;
}

}  // namespace observo::cli

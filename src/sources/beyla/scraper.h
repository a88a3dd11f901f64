// The Prometheus scrape client (otlp.scrape): fetches one target's page (text 0.0.4 or
// OpenMetrics, gzip) every interval over HTTP or HTTPS, parses it (prom_parser.h) and
// publishes its series into the Hub under "beyla/scrape/<name>" with the target's labels kept
// as they are. observo_scrape_up{target} is 1 after a good scrape and 0 after a failed one, when
// the target's series are withdrawn (stale) at once.
#pragma once

#include <memory>

#include "observo/common/result.h"
#include "observo/config/config.h"
#include "observo/metrics/hub.h"

namespace observo::beyla {

class Scraper {
 public:
  Scraper(config::OtlpScrapeTarget target, metrics::Hub& hub);
  ~Scraper();  // stops
  Scraper(const Scraper&) = delete;
  Scraper& operator=(const Scraper&) = delete;

  // Checks the target (URL, TLS files, token) and starts its thread; errors name the target.
  Result<void> start();
  void stop();  // idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace observo::beyla

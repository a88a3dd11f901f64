// The beyla source: everything otlp.* configures, wired together. It owns the translation
// (MetricStore, SpanMetrics), the receivers' shared parts (Authenticator, InflightLimiter,
// ReceiverStats), the gRPC and HTTP receivers, and one Scraper per otlp.scrape target; the
// store and span metrics reach /metrics through two Hub collectors ("beyla/otlp",
// "beyla/spans"). It reports itself on the SourceBoard as "beyla", up once the receivers
// listen, with the bound ports in its details.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "observo/config/config.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"

namespace observo::beyla {

class MetricStore;
class SpanMetrics;
class Authenticator;
class InflightLimiter;
class ReceiverStats;
struct ReceiverContext;
class GrpcReceiver;
class HttpReceiver;
class Scraper;

class BeylaSource : public Source {
 public:
  BeylaSource(const config::OtlpConfig& config, metrics::Hub& hub, SourceBoard& board);
  ~BeylaSource() override;

  std::string name() const override { return "beyla"; }
  // Errors (port in use, unreadable TLS files, auth without credentials) name the config key.
  Result<void> start() override;
  void stop() override;

  // Bound TCP ports after start(); 0 when that receiver is off.
  std::uint16_t grpc_port() const;
  std::uint16_t http_port() const;

  MetricStore& store() { return *store_; }
  SpanMetrics& span_metrics() { return *spans_; }

 private:
  config::OtlpConfig config_;
  metrics::Hub& hub_;
  SourceBoard& board_;
  // Shared with the Hub collectors, which a scrape may still hold while the source goes away.
  std::shared_ptr<MetricStore> store_;
  std::shared_ptr<SpanMetrics> spans_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<InflightLimiter> inflight_;
  std::unique_ptr<ReceiverStats> stats_;
  std::unique_ptr<ReceiverContext> context_;
  std::unique_ptr<GrpcReceiver> grpc_;
  std::unique_ptr<HttpReceiver> http_;
  std::vector<std::unique_ptr<Scraper>> scrapers_;
  bool collectors_added_ = false;
};

}  // namespace observo::beyla

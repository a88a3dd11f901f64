#include "sources/beyla/beyla_source.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "sources/beyla/grpc_receiver.h"
#include "sources/beyla/http_receiver.h"
#include "sources/beyla/metric_store.h"
#include "sources/beyla/receiver.h"
#include "sources/beyla/receiver_stats.h"
#include "sources/beyla/scraper.h"
#include "sources/beyla/span_metrics.h"

namespace observo::beyla {

namespace {

constexpr const char* kStoreKey = "beyla/otlp";
constexpr const char* kSpansKey = "beyla/spans";

template <class Target>
class SnapshotCollector final : public metrics::Collector {
 public:
  explicit SnapshotCollector(std::shared_ptr<Target> target) : target_(std::move(target)) {}
  metrics::SnapshotPtr collect() override { return target_->snapshot(); }

 private:
  std::shared_ptr<Target> target_;
};

StoreOptions store_options(const config::OtlpConfig& config) {
  StoreOptions options;
  options.resource_attributes = config.resource_attributes;
  options.scope_labels = config.scope_labels;
  options.expiration = config.metric_expiration;
  return options;
}

SpanMetricsOptions span_options(const config::OtlpConfig& config) {
  SpanMetricsOptions options;
  options.span_metrics = config.span_metrics;
  options.service_graph = config.service_graph;
  options.service_graph_wait = config.service_graph_wait;
  options.expiration = config.metric_expiration;
  return options;
}

}  // namespace

BeylaSource::BeylaSource(const config::OtlpConfig& config, metrics::Hub& hub, SourceBoard& board)
    : config_(config),
      hub_(hub),
      board_(board),
      store_(std::make_shared<MetricStore>(store_options(config))),
      spans_(std::make_shared<SpanMetrics>(span_options(config))) {
  board_.declare("beyla", true);
}

BeylaSource::~BeylaSource() { stop(); }

std::uint16_t BeylaSource::grpc_port() const { return grpc_ ? grpc_->port() : 0; }
std::uint16_t BeylaSource::http_port() const { return http_ ? http_->port() : 0; }

Result<void> BeylaSource::start() {
  auto auth = Authenticator::create(config_.auth, [](const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  if (!auth) return make_error(auth.error());
  auth_ = std::move(*auth);
  if (config_.max_inflight_requests < 1) {
    return make_error("otlp.max_inflight_requests: must be at least 1");
  }
  inflight_ = std::make_unique<InflightLimiter>(config_.max_inflight_requests);
  stats_ = make_receiver_stats(hub_.registry());
  context_ = std::make_unique<ReceiverContext>(
      ReceiverContext{*store_, *spans_, *auth_, *inflight_, *stats_, config_.max_message_bytes});

  hub_.add_collector(kStoreKey, std::make_shared<SnapshotCollector<MetricStore>>(store_));
  hub_.add_collector(kSpansKey, std::make_shared<SnapshotCollector<SpanMetrics>>(spans_));
  collectors_added_ = true;

  const auto fail = [this](const std::string& message) -> Result<void> {
    stop();
    board_.record_failure("beyla", message);
    return make_error(message);
  };
  if (!config_.grpc_listen.empty() || !config_.grpc_unix_socket.empty()) {
    grpc_ = std::make_unique<GrpcReceiver>(*context_);
    if (auto started = grpc_->start(config_); !started) return fail(started.error());
  }
  if (!config_.http_listen.empty() || !config_.http_unix_socket.empty()) {
    http_ = std::make_unique<HttpReceiver>(*context_);
    if (auto started = http_->start(config_); !started) return fail(started.error());
  }
  for (const auto& target : config_.scrape) {
    scrapers_.push_back(std::make_unique<Scraper>(target, hub_));
    if (auto started = scrapers_.back()->start(); !started) return fail(started.error());
  }

  nlohmann::json details = nlohmann::json::object();
  if (grpc_ && grpc_->port() != 0) details["grpc_port"] = grpc_->port();
  if (http_ && http_->port() != 0) details["http_port"] = http_->port();
  if (!config_.grpc_unix_socket.empty()) details["grpc_unix_socket"] = config_.grpc_unix_socket;
  if (!config_.http_unix_socket.empty()) details["http_unix_socket"] = config_.http_unix_socket;
  details["auth"] = config_.auth.mode;
  details["tls"] = config_.tls.enabled;
  details["scrape_targets"] = config_.scrape.size();
  board_.set_details("beyla", details.dump());
  board_.set_up("beyla", true);
  return {};
}

void BeylaSource::stop() {
  for (auto& scraper : scrapers_) scraper->stop();
  scrapers_.clear();
  if (grpc_) grpc_->stop();
  if (http_) http_->stop();
  grpc_.reset();
  http_.reset();
  if (collectors_added_) {
    hub_.remove_collector(kStoreKey);
    hub_.remove_collector(kSpansKey);
    collectors_added_ = false;
  }
  board_.set_up("beyla", false);
}

}  // namespace observo::beyla

#include "http/http_metrics.h"

#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "observo/http/router.h"

namespace observo::http {

namespace {

const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  return buckets;
}

}  // namespace

HttpMetrics::HttpMetrics(prometheus::Registry& registry) {
  requests_ = &prometheus::BuildCounter()
                   .Name("observo_http_requests_total")
                   .Help("HTTP requests answered, by handler and status code.")
                   .Register(registry);
  auto& durations = prometheus::BuildHistogram()
                        .Name("observo_http_request_duration_seconds")
                        .Help(
                            "Time from a request fully read to its response fully written, "
                            "by handler.")
                        .Register(registry);
  constexpr std::array<std::string_view, kHandlerCount> kHandlers = {
      kHandlerRoot,       kHandlerMetrics,    kHandlerHealth, kHandlerReady,
      kHandlerApiMetrics, kHandlerApiSources, kHandlerOther};
  for (std::size_t i = 0; i < kHandlers.size(); ++i) {
    durations_[i] = {kHandlers[i],
                     &durations.Add({{"handler", std::string(kHandlers[i])}}, duration_buckets())};
  }
  open_connections_ = &prometheus::BuildGauge()
                           .Name("observo_http_connections_open")
                           .Help("HTTP connections currently open (served, not rejected).")
                           .Register(registry)
                           .Add({});
  auto& rejected = prometheus::BuildCounter()
                       .Name("observo_http_connections_rejected_total")
                       .Help(
                           "Connections refused because server.max_connections were open: "
                           "answered 503, or closed at once when even the 503 budget was used.")
                       .Register(registry);
  rejected_503_ = &rejected.Add({{"reason", "limit_503"}});
  rejected_closed_ = &rejected.Add({{"reason", "limit_closed"}});
}

void HttpMetrics::count(std::string_view handler, unsigned status) {
  requests_->Add({{"handler", std::string(handler)}, {"code", std::to_string(status)}}).Increment();
}

void HttpMetrics::observe_duration(std::string_view handler, double seconds) {
  for (const auto& [name, histogram] : durations_) {
    if (name == handler) {
      histogram->Observe(seconds);
      return;
    }
  }
  durations_.back().second->Observe(seconds);  // unknown handler names count as "other"
}

void HttpMetrics::set_open_connections(int open) {
  open_connections_->Set(static_cast<double>(open));
}

void HttpMetrics::connection_answered_503() { rejected_503_->Increment(); }

void HttpMetrics::connection_closed_at_limit() { rejected_closed_->Increment(); }

}  // namespace observo::http

#include "sources/beyla/receiver_stats.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <string>

namespace observo::beyla {

namespace {

using CounterFamily = prometheus::Family<prometheus::Counter>;

CounterFamily& counter(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

const char* signal_name(Signal signal) { return signal == Signal::kMetrics ? "metrics" : "traces"; }

class PromReceiverStats final : public ReceiverStats {
 public:
  explicit PromReceiverStats(prometheus::Registry& registry)
      : requests_(counter(registry, "observo_otlp_requests_total",
                          "OTLP export requests, by transport, signal and outcome.")),
        points_received_(counter(registry, "observo_otlp_data_points_received_total",
                                 "OTLP data points accepted, by transport.")),
        points_rejected_(counter(registry, "observo_otlp_data_points_rejected_total",
                                 "OTLP data points rejected (partial success), by transport.")),
        spans_received_(counter(registry, "observo_otlp_spans_received_total",
                                "OTLP spans accepted, by transport.")),
        spans_rejected_(counter(registry, "observo_otlp_spans_rejected_total",
                                "OTLP spans rejected (partial success), by transport.")) {}

  void request(std::string_view transport, Signal signal, std::string_view outcome) override {
    requests_
        .Add({{"transport", std::string(transport)},
              {"signal", signal_name(signal)},
              {"outcome", std::string(outcome)}})
        .Increment();
  }

  void ingested(std::string_view transport, Signal signal, const IngestOutcome& outcome) override {
    const bool metrics = signal == Signal::kMetrics;
    auto& received =
        (metrics ? points_received_ : spans_received_).Add({{"transport", std::string(transport)}});
    auto& rejected =
        (metrics ? points_rejected_ : spans_rejected_).Add({{"transport", std::string(transport)}});
    received.Increment(static_cast<double>(outcome.accepted));
    rejected.Increment(static_cast<double>(outcome.rejected));
  }

 private:
  CounterFamily& requests_;
  CounterFamily& points_received_;
  CounterFamily& points_rejected_;
  CounterFamily& spans_received_;
  CounterFamily& spans_rejected_;
};

}  // namespace

std::unique_ptr<ReceiverStats> make_receiver_stats(prometheus::Registry& registry) {
  return std::make_unique<PromReceiverStats>(registry);
}

}  // namespace observo::beyla

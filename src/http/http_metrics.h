// The HTTP server's own metrics, declared once here and registered in the hub's live registry:
//   observo_http_requests_total{handler,code}
//   observo_http_request_duration_seconds{handler}   (histogram)
//   observo_http_connections_open
//   observo_http_connections_rejected_total{reason}  (reason: "limit_503", "limit_closed")
// Label values are bounded: handler is one of router.h's kHandler* constants, code a status.
//
// Thread safety: every member may be called from any thread (prometheus-cpp instruments are
// atomic; family lookups lock inside prometheus-cpp).
#pragma once

#include <array>
#include <string_view>
#include <utility>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace observo::http {

class HttpMetrics {
 public:
  // Registering twice in one registry returns the same families (a restarted server).
  explicit HttpMetrics(prometheus::Registry& registry);

  // Counted when the answer starts on its way, so a client that has read its answer finds it
  // counted on its next scrape; the duration is observed once the answer is fully written.
  void count(std::string_view handler, unsigned status);
  void observe_duration(std::string_view handler, double seconds);
  void set_open_connections(int open);
  void connection_answered_503();
  void connection_closed_at_limit();

 private:
  static constexpr std::size_t kHandlerCount = 7;

  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  std::array<std::pair<std::string_view, prometheus::Histogram*>, kHandlerCount> durations_{};
  prometheus::Gauge* open_connections_ = nullptr;
  prometheus::Counter* rejected_503_ = nullptr;
  prometheus::Counter* rejected_closed_ = nullptr;
};

}  // namespace observo::http

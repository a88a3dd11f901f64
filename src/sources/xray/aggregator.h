// Turns parsed segments into the earlier Python X-Ray exporter's metrics, name for name, plus
// base-unit histograms and the source's self-metrics.
//
// Counters (and the cumulative *_latency_sum_ms / *_latency_count gauges the earlier exporter
// exposed) only grow and can be saved and restored, so a restart neither resets nor double
// counts them. The other gauges (percentiles, averages, rates, health) describe the last closed
// window only, as before. Label values that would grow without bound (url, client_ip) are
// capped; the excess is folded into "other" and counted.
//
// Not thread-safe: the owner (XraySource) serializes calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "observo/common/result.h"
#include "observo/metrics/snapshot.h"
#include "sources/xray/segment.h"

namespace observo::xray {

struct AggregatorOptions {
  std::size_t max_urls = 1000;
  std::size_t max_client_ips = 1000;
  bool url_templating = false;
  // Latency samples kept per series and window for exact percentiles; beyond it percentiles
  // use the first samples only (avg stays exact). Documented in docs/metrics.md.
  std::size_t max_window_samples = 100000;
};

using CountMap = std::map<std::string, double>;

struct Histogram {
  std::vector<double> bucket_counts;  // per bound, non-cumulative
  double sum = 0;
  double count = 0;
};

struct ServiceCounters {
  double requests = 0, errors = 0, faults = 0, throttles = 0;
  CountMap status, method, client_ip;
  Histogram duration;
};

struct UrlCounters {
  double requests = 0, errors = 0;
  double latency_sum_ms = 0, latency_count = 0;
  CountMap status, method;
  Histogram duration;
};

struct UrlServiceCounters {
  double requests = 0, errors = 0;
  double latency_sum_ms = 0, latency_count = 0;
  CountMap status, method;
};

// Self counters of the source, persisted with the rest.
struct SelfCounters {
  double segments_processed = 0;
  double traces_processed = 0;
  double duplicates_skipped = 0;
  double in_progress_received = 0;
  double inferred_skipped = 0;
  double invalid_segments = 0;
  CountMap label_overflow;  // label name -> values folded into "other"
};

class Aggregator {
 public:
  explicit Aggregator(AggregatorOptions options = {});

  // One segment on its own (the UDP path). Completed, non-inferred segments count as requests.
  void add(const SegmentRecord& segment);
  // Every segment of one trace (the API path): downstream calls whose subsegment is the parent
  // of another service's segment are attributed to that service's name.
  void add_trace(std::vector<SegmentRecord> segments);

  // Closes the current window: its latency, error and health figures become the window gauges.
  void close_window();

  metrics::Snapshot snapshot() const;

  SelfCounters& self() { return self_; }

  // Versioned JSON of every counter; load replaces them. Used by the state store.
  std::string save_counters() const;
  Result<void> load_counters(std::string_view text);

  static const std::vector<double>& duration_bounds();  // seconds

 private:
  struct WindowSeries {
    std::vector<double> samples_ms;
    double sum_ms = 0;
    double count = 0;
    double errors = 0, faults = 0, throttles = 0;
  };
  struct DependencyWindow {
    double calls = 0, failures = 0;
  };
  std::string capped(const std::string& value, std::set<std::string>& seen, std::size_t cap,
                     const char* label);
  void count_request(const SegmentRecord& segment);
  void count_call(const std::string& source, const DownstreamCall& call, const std::string& target);

  AggregatorOptions options_;
  std::map<std::string, ServiceCounters> services_;
  std::map<std::string, UrlCounters> urls_;
  std::map<std::pair<std::string, std::string>, UrlServiceCounters> url_services_;
  std::map<std::pair<std::string, std::string>, double> dependencies_;
  std::set<std::string> url_values_, client_ip_values_;
  SelfCounters self_;

  std::map<std::string, WindowSeries> window_services_, window_urls_;
  std::map<std::pair<std::string, std::string>, DependencyWindow> window_dependencies_;
  std::map<std::string, WindowSeries> last_services_, last_urls_;
  std::map<std::pair<std::string, std::string>, DependencyWindow> last_dependencies_;
};

// Nearest-rank percentile of unsorted samples (copied); 0 for none. Exact.
double percentile(std::vector<double> samples, double q);

}  // namespace observo::xray

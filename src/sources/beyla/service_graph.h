// Service graph edges from span pairs: a CLIENT/PRODUCER span (service A, span id X, trace T)
// and a SERVER/CONSUMER span (service B, parent span id X, trace T) make one request A -> B.
// The two halves come from different processes, so they arrive in either order and in different
// export requests: the first waits in a pending table keyed by (trace id, client span id), which
// is bounded in size (max_pending) and in time (wait).
//
// Not thread-safe: SpanMetrics owns one and calls it under its own mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "sources/beyla/span_support.h"

namespace observo::beyla {

struct SpanHalf {
  std::string service;  // the resource's service.name (capped); "" when absent
  bool failed = false;  // client: status ERROR; server: status ERROR or an HTTP 5xx
  double seconds = 0;   // the span's duration (end minus start)
};

class ServiceGraph {
 public:
  using Clock = std::chrono::steady_clock;

  // Besides max_pending entries, the pending table holds at most this many bytes (its keys,
  // service names and per-entry bookkeeping), whatever the service name lengths.
  static constexpr std::size_t kMaxPendingBytes = 32 * 1024 * 1024;

  // `bounds`: the duration histogram buckets (the span metrics' otlp.span_metrics buckets).
  ServiceGraph(std::chrono::milliseconds wait, std::size_t max_pending,
               std::chrono::milliseconds expiration, std::vector<double> bounds);

  // `trace_id` is 16 bytes, `span_id` the client's span id (8 bytes): the client's own span id
  // for add_client, the server span's parent span id for add_server.
  void add_client(std::string_view trace_id, std::string_view span_id, SpanHalf half,
                  Clock::time_point now, SeriesBudget& budget);
  void add_server(std::string_view trace_id, std::string_view parent_span_id, SpanHalf half,
                  Clock::time_point now, SeriesBudget& budget);

  // Drops halves that waited `wait` or longer (counted as unpaired). True when any went.
  bool expire_pending(Clock::time_point now);
  // Removes edges idle for `expiration` or longer. True when any went.
  bool expire_edges(Clock::time_point now, SeriesBudget& budget);

  // traces_service_graph_request_total, _failed_total, _client_seconds and _server_seconds
  // (when there are edges), then the observo_otlp_service_graph_* self-metrics.
  void append_families(std::vector<metrics::Family>& out) const;

  std::size_t pending() const { return pending_.size(); }

 private:
  using Order = std::multimap<Clock::time_point, std::string>;
  struct Pending {
    bool is_client = false;
    SpanHalf half;
    Order::iterator order;
  };
  struct Edge {
    double requests = 0;
    double failed = 0;
    DurationHistogram client;  // the client spans' durations
    DurationHistogram server;  // the server spans' durations
    Clock::time_point last_update;
  };

  void release_pending(const std::string& key, const SpanHalf& half);
  void add(std::string key, bool is_client, SpanHalf half, Clock::time_point now,
           SeriesBudget& budget);
  void record_edge(const SpanHalf& client, const SpanHalf& server, Clock::time_point now,
                   SeriesBudget& budget);

  std::chrono::milliseconds wait_;
  std::size_t max_pending_;
  std::chrono::milliseconds expiration_;
  std::vector<double> bounds_;
  std::unordered_map<std::string, Pending> pending_;  // key: trace id + client span id
  std::size_t pending_bytes_ = 0;  // keys, service names and bookkeeping of pending_
  Order order_;                    // arrival time -> pending key
  std::map<std::pair<std::string, std::string>, Edge> edges_;  // (client, server)
  std::uint64_t dropped_ = 0;   // halves refused because max_pending were waiting
  std::uint64_t unpaired_ = 0;  // halves whose partner never came within wait (or a duplicate)
};

}  // namespace observo::beyla

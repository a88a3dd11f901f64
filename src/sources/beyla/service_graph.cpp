#include "sources/beyla/service_graph.h"

namespace observo::beyla {
namespace {

// requests, failed requests, client and server duration histograms.
constexpr std::size_t kEdgeSeriesCost = 4;

// Per-entry bookkeeping of the pending table beyond the key and the service name.
constexpr std::size_t kPendingOverheadBytes = 96;

std::size_t pending_bytes(const std::string& key, const SpanHalf& half) {
  return key.size() + half.service.size() + kPendingOverheadBytes;
}

std::size_t edge_bytes(const std::pair<std::string, std::string>& key) {
  return key.first.size() + key.second.size() + 12;  // + the label names "client", "server"
}

}  // namespace

void ServiceGraph::release_pending(const std::string& key, const SpanHalf& half) {
  const std::size_t bytes = pending_bytes(key, half);
  pending_bytes_ = bytes > pending_bytes_ ? 0 : pending_bytes_ - bytes;
}

ServiceGraph::ServiceGraph(std::chrono::milliseconds wait, std::size_t max_pending,
                           std::chrono::milliseconds expiration, std::vector<double> bounds)
    : wait_(wait), max_pending_(max_pending), expiration_(expiration), bounds_(std::move(bounds)) {}

void ServiceGraph::add_client(std::string_view trace_id, std::string_view span_id, SpanHalf half,
                              Clock::time_point now, SeriesBudget& budget) {
  std::string key;
  key.reserve(trace_id.size() + span_id.size());
  key.append(trace_id).append(span_id);
  add(std::move(key), true, std::move(half), now, budget);
}

void ServiceGraph::add_server(std::string_view trace_id, std::string_view parent_span_id,
                              SpanHalf half, Clock::time_point now, SeriesBudget& budget) {
  std::string key;
  key.reserve(trace_id.size() + parent_span_id.size());
  key.append(trace_id).append(parent_span_id);
  add(std::move(key), false, std::move(half), now, budget);
}

void ServiceGraph::add(std::string key, bool is_client, SpanHalf half, Clock::time_point now,
                       SeriesBudget& budget) {
  const auto it = pending_.find(key);
  if (it == pending_.end()) {
    const std::size_t bytes = pending_bytes(key, half);
    if (pending_.size() >= max_pending_ || pending_bytes_ + bytes > kMaxPendingBytes) {
      ++dropped_;
      return;
    }
    pending_bytes_ += bytes;
    const auto order = order_.emplace(now, key);
    pending_.emplace(std::move(key), Pending{is_client, std::move(half), order});
    return;
  }
  if (it->second.is_client == is_client) {
    // The same half twice (a re-sent export, or a second consumer of one message): the first
    // one keeps its place, this one can never pair.
    ++unpaired_;
    return;
  }
  const SpanHalf other = std::move(it->second.half);
  release_pending(it->first, other);
  order_.erase(it->second.order);
  pending_.erase(it);
  if (is_client) {
    record_edge(half, other, now, budget);
  } else {
    record_edge(other, half, now, budget);
  }
}

void ServiceGraph::record_edge(const SpanHalf& client, const SpanHalf& server,
                               Clock::time_point now, SeriesBudget& budget) {
  auto key = std::make_pair(client.service, server.service);
  auto it = edges_.find(key);
  if (it == edges_.end()) {
    if (!budget.take(kEdgeSeriesCost, edge_bytes(key))) return;
    it = edges_.emplace(std::move(key), Edge{}).first;
  }
  Edge& edge = it->second;
  edge.requests += 1;
  if (client.failed || server.failed) edge.failed += 1;
  edge.client.observe(bounds_, client.seconds);
  edge.server.observe(bounds_, server.seconds);
  edge.last_update = now;
}

bool ServiceGraph::expire_pending(Clock::time_point now) {
  bool changed = false;
  while (!order_.empty() && now - order_.begin()->first >= wait_) {
    const auto it = pending_.find(order_.begin()->second);
    release_pending(it->first, it->second.half);
    pending_.erase(it);
    order_.erase(order_.begin());
    ++unpaired_;
    changed = true;
  }
  return changed;
}

bool ServiceGraph::expire_edges(Clock::time_point now, SeriesBudget& budget) {
  bool changed = false;
  for (auto it = edges_.begin(); it != edges_.end();) {
    if (now - it->second.last_update >= expiration_) {
      budget.release(kEdgeSeriesCost, edge_bytes(it->first));
      it = edges_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  return changed;
}

void ServiceGraph::append_families(std::vector<metrics::Family>& out) const {
  if (!edges_.empty()) {
    auto requests = family("traces_service_graph_request_total", metrics::MetricType::kCounter,
                           "Requests between two services, from client and server span pairs.");
    auto failed = family("traces_service_graph_request_failed_total",
                         metrics::MetricType::kCounter,
                         "Requests between two services where the client span has status ERROR "
                         "or the server span has status ERROR or an HTTP 5xx.");
    auto client_seconds =
        family("traces_service_graph_request_client_seconds", metrics::MetricType::kHistogram,
               "Duration of the client spans of requests between two services.");
    auto server_seconds =
        family("traces_service_graph_request_server_seconds", metrics::MetricType::kHistogram,
               "Duration of the server spans of requests between two services.");
    for (const auto& [key, edge] : edges_) {
      std::vector<metrics::Label> labels;
      if (!key.first.empty()) labels.push_back({"client", key.first});
      if (!key.second.empty()) labels.push_back({"server", key.second});
      metrics::Series series;
      series.labels = metrics::make_labels(std::move(labels));
      client_seconds.series.push_back(edge.client.series(bounds_, series.labels));
      server_seconds.series.push_back(edge.server.series(bounds_, series.labels));
      series.value = edge.failed;
      failed.series.push_back(series);
      series.value = edge.requests;
      requests.series.push_back(std::move(series));
    }
    out.push_back(std::move(requests));
    out.push_back(std::move(failed));
    out.push_back(std::move(client_seconds));
    out.push_back(std::move(server_seconds));
  }
  out.push_back(single("observo_otlp_service_graph_pending", metrics::MetricType::kGauge,
                       "Span halves waiting for their partner to make a service graph edge.",
                       static_cast<double>(pending_.size())));
  out.push_back(single("observo_otlp_service_graph_dropped_total", metrics::MetricType::kCounter,
                       "Span halves not kept because the pending table was full.",
                       static_cast<double>(dropped_)));
  out.push_back(single("observo_otlp_service_graph_unpaired_total", metrics::MetricType::kCounter,
                       "Span halves dropped without a partner: none came within the wait, or "
                       "the same half came twice.",
                       static_cast<double>(unpaired_)));
}

}  // namespace observo::beyla

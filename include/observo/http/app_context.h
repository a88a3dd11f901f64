// The state every HTTP route reads: configuration, the metrics hub, the source board, and the
// counters /health reports about the server itself.
//
// It exists so that routing stays a plain function of (context, request): the Server owns the
// sockets, the router owns nothing, and a test builds an AppContext by hand to call the router
// without a socket.
//
// Thread safety: the references point at objects that are thread-safe themselves; everything
// the server or the routes write here is atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "observo/config/config.h"
#include "observo/http/api_extension.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"

namespace observo::http {

// Counters behind /health. The Server writes the connection-level ones, the metrics routes the
// collection ones.
struct ServerStats {
  std::atomic<bool> running{false};   // between a successful start() and stop()
  std::atomic<bool> stopping{false};  // stop() has begun: /ready answers 503 "stopping"
  std::atomic<std::uint16_t> port{0};
  std::atomic<std::uint64_t> requests{0};     // requests read (a /health answer counts itself)
  std::atomic<std::uint64_t> collections{0};  // metric encodes (/metrics, /api/v1/metrics)
  std::atomic<std::uint64_t> last_series{0};  // series count of the last collection
  std::atomic<std::int64_t> last_collection_ms{0};  // Unix epoch milliseconds; 0 = never
};

struct AppContext {
  const config::Config& config;
  metrics::Hub& hub;
  SourceBoard& sources;
  std::chrono::system_clock::time_point start_time = std::chrono::system_clock::now();
  std::atomic<bool> ready{false};  // /ready answers 503 until true
  ServerStats stats{};
  ApiExtension* api = nullptr;  // extra routes (see api_extension.h); set before the server starts
};

}  // namespace observo::http

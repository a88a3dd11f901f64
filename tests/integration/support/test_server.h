// A real observo HTTP server for integration tests: its own Config, Hub, SourceBoard and
// AppContext, bound to 127.0.0.1 on a free port, with timeouts short enough that the tests
// which wait for one finish quickly.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "observo/config/config.h"
#include "observo/http/server.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"

namespace observo::testing {

// 127.0.0.1:0, two threads, 300 ms read/write/idle timeouts, 2 s shutdown timeout.
config::ServerConfig test_server_config();

class TestServer {
 public:
  explicit TestServer(config::ServerConfig server = test_server_config());
  ~TestServer();

  // Starts the server; fails the calling test (ASSERT-style, via the return) when it cannot.
  Result<void> start();
  std::uint16_t port() const { return server_.port(); }

  config::Config& config() { return config_; }
  metrics::Hub& hub() { return hub_; }
  SourceBoard& sources() { return sources_; }
  http::AppContext& context() { return context_; }
  http::Server& server() { return server_; }

 private:
  config::Config config_;
  metrics::Hub hub_;
  SourceBoard sources_;
  http::AppContext context_;
  http::Server server_;
};

}  // namespace observo::testing

#include "test_server.h"

namespace observo::testing {

config::ServerConfig test_server_config() {
  config::ServerConfig server;
  server.listen_address = "127.0.0.1";
  server.port = 0;
  server.threads = 2;
  server.read_timeout = std::chrono::milliseconds(300);
  server.write_timeout = std::chrono::milliseconds(300);
  server.idle_timeout = std::chrono::milliseconds(300);
  server.shutdown_timeout = std::chrono::milliseconds(2000);
  return server;
}

namespace {

config::Config with_server(config::ServerConfig server) {
  config::Config config;
  config.server = std::move(server);
  config.source = "<test>";
  return config;
}

}  // namespace

TestServer::TestServer(config::ServerConfig server)
    : config_(with_server(std::move(server))),
      context_{config_, hub_, sources_},
      server_(context_) {}

TestServer::~TestServer() { server_.stop(); }

Result<void> TestServer::start() {
  auto started = server_.start();
  if (started) context_.ready = true;
  return started;
}

}  // namespace observo::testing

// Server: the lifetime of the io_context, its worker threads, the listener and the shared
// state, and the order in which stop() takes them down.
#include "observo/http/server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "http/listener.h"
#include "http/server_state.h"
#include "http/tls_context.h"

namespace observo::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// How long stop() still waits after force-closing what outlived shutdown_timeout.
constexpr std::chrono::milliseconds kForceCloseGrace{200};

Result<tcp::endpoint> resolve(net::io_context& io, const config::ServerConfig& config) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config.listen_address, ec);
  if (!ec) return tcp::endpoint(address, config.port);
  tcp::resolver resolver(io);
  const auto results =
      resolver.resolve(config.listen_address, std::to_string(config.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return make_error("server.listen_address: cannot resolve \"" + config.listen_address +
                      "\": " + (ec ? ec.message() : std::string("no address")));
  }
  return results.begin()->endpoint();
}

void run_worker(net::io_context& io) {
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& error) {
      // Handlers do not throw by design; if one does, keep the thread serving.
      spdlog::error("http: worker thread caught an exception: {}", error.what());
    } catch (...) {
      spdlog::error("http: worker thread caught an unknown exception");
    }
  }
}

std::string host_for_url(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
}

}  // namespace

struct Server::Impl {
  explicit Impl(AppContext& app) : context(app) {}

  Result<void> start();
  void stop();
  void tear_down();

  AppContext& context;
  std::mutex api_mutex;  // start() and stop()
  bool running = false;
  std::atomic<std::uint16_t> port{0};

  // Declaration order is destruction order in reverse: the io_context (and the sessions its
  // pending handlers own) goes before the state and TLS context they point at.
  std::shared_ptr<ServerState> state;
  std::unique_ptr<net::io_context> io;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
};

Result<void> Server::Impl::start() {
  const auto& config = context.config.server;
  std::shared_ptr<net::ssl::context> tls;
  if (config.tls.enabled) {
    auto made = make_server_tls_context(config.tls);
    if (!made) return make_error(made.error());
    tls = std::move(*made);
  }
  const int thread_count = std::max(1, config.threads);
  io = std::make_unique<net::io_context>(thread_count);
  auto endpoint = resolve(*io, config);
  if (!endpoint) {
    tear_down();
    return make_error(endpoint.error());
  }
  state = std::make_shared<ServerState>(context, std::move(tls));
  listener = std::make_shared<Listener>(*io, *state);
  auto bound = listener->open(*endpoint);
  if (!bound) {
    tear_down();
    return make_error(bound.error());
  }

  port = bound->port();
  context.stats.port = bound->port();
  context.stats.stopping = false;
  context.stats.running = true;
  listener->run();
  for (int i = 0; i < thread_count; ++i) {
    threads.emplace_back([io = io.get()] { run_worker(*io); });
  }
  running = true;
  spdlog::info("listening on {}://{}:{}", config.tls.enabled ? "https" : "http",
               host_for_url(*bound), bound->port());
  return {};
}

void Server::Impl::stop() {
  const auto timeout = context.config.server.shutdown_timeout;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  state->set_stopping();
  context.stats.stopping = true;

  // 1. No new connections. Waiting makes "refused after stop()" hold even while workers are
  // busy, within the same deadline.
  listener->close().wait_until(deadline);

  // 2. Idle keep-alive connections close now; requests in flight finish with Connection: close.
  for (const auto& session : state->sessions()) session->request_shutdown();
  if (!state->wait_closed(deadline)) {
    spdlog::warn("http: {} connections still open after the {} ms shutdown timeout; closing them",
                 state->open_connections(), timeout.count());
    for (const auto& session : state->sessions()) session->force_close();
    state->wait_closed(std::chrono::steady_clock::now() + kForceCloseGrace);
  }

  // 3. Workers stop; a handler still running (a slow collector) is waited for by join().
  io->stop();
  for (auto& thread : threads) thread.join();
  threads.clear();
  tear_down();
  context.stats.running = false;
  running = false;
  spdlog::info("http: server stopped");
}

void Server::Impl::tear_down() {
  listener.reset();
  io.reset();  // destroys pending handlers, and with them any session left
  state.reset();
}

Server::Server(AppContext& context) : impl_(std::make_unique<Impl>(context)) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  std::lock_guard lock(impl_->api_mutex);
  if (impl_->running) return make_error("the HTTP server is already running");
  try {
    return impl_->start();
  } catch (const std::exception& error) {
    // Only thread creation or allocation can throw here.
    if (impl_->threads.empty()) {
      impl_->tear_down();
    } else {
      impl_->stop();
    }
    return make_error(std::string("cannot start the HTTP server: ") + error.what());
  }
}

std::uint16_t Server::port() const { return impl_->port.load(); }

void Server::stop() {
  std::lock_guard lock(impl_->api_mutex);
  if (!impl_->running) return;
  impl_->stop();
}

}  // namespace observo::http

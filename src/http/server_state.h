// What the listener, the sessions and Server::stop() share: the configuration, the TLS
// context, the self-metrics, and the table of open connections that enforces
// server.max_connections and lets stop() reach every session.
//
// Admission: the first max_connections connections are served. The next max_connections are
// "rejecting" sessions: they read one request and answer 503 with "Connection: close". Beyond
// both, a connection is closed as soon as it is accepted. So a flood costs at most twice the cap
// in sockets, and an ordinary client over the cap still gets a readable answer.
//
// Thread safety: every member function may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "http/http_metrics.h"
#include "observo/http/app_context.h"

namespace observo::http {

// The part of a session that stop() talks to. Both calls post to the session's strand.
class SessionControl {
 public:
  virtual ~SessionControl() = default;
  // Registers with ServerState and starts reading (TLS: handshaking) on the strand.
  virtual void run() = 0;
  // Finish the request in flight (answering with "Connection: close"), close when idle.
  virtual void request_shutdown() = 0;
  // Close the socket now.
  virtual void force_close() = 0;
};

enum class Admission { kServe, kReject, kDrop };

class ServerState {
 public:
  ServerState(AppContext& context, std::shared_ptr<boost::asio::ssl::context> tls);

  AppContext& context() { return context_; }
  const config::ServerConfig& config() const { return context_.config.server; }
  boost::asio::ssl::context* tls() { return tls_.get(); }
  HttpMetrics& metrics() { return metrics_; }

  bool stopping() const { return stopping_.load(); }
  void set_stopping() { stopping_.store(true); }

  // Called by the listener for each accepted connection; kServe and kReject take a slot that
  // the session gives back with release().
  Admission admit();
  void attach(std::uint64_t id, std::weak_ptr<SessionControl> session);
  std::uint64_t next_id() { return next_id_.fetch_add(1); }
  void release(std::uint64_t id, Admission admission);

  // Live sessions, for stop().
  std::vector<std::shared_ptr<SessionControl>> sessions();
  // Waits until every connection is closed or the deadline passes; true when all closed.
  bool wait_closed(std::chrono::steady_clock::time_point deadline);
  int open_connections();

 private:
  AppContext& context_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  HttpMetrics metrics_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_id_{1};

  std::mutex mutex_;
  std::condition_variable closed_;
  int serving_ = 0;
  int rejecting_ = 0;
  bool at_limit_logged_ = false;
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionControl>> sessions_;
};

}  // namespace observo::http

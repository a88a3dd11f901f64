// The HTTP server: a Boost.Beast listener and one session per connection, on an io_context run
// by `server.threads` worker threads, each connection on its own strand. Optional TLS (and
// client-certificate verification), timeouts before every read and write, header and body
// limits on every parser, a cap on open connections, graceful shutdown.
//
// The server owns sockets only; what a request gets back is decided by dispatch() (router.h).
//
// Thread safety: start(), stop() and port() may be called from any thread except the server's
// own worker threads (stop() joins them). stop() is idempotent; the destructor calls it.
#pragma once

#include <cstdint>
#include <memory>

#include "observo/common/result.h"
#include "observo/http/app_context.h"
#include "observo/http/router.h"

namespace observo::http {

class Server {
 public:
  explicit Server(AppContext& context);  // reads context.config.server
  ~Server();                             // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the worker threads. Errors name the cause: an unparsable address, an
  // address in use, an unreadable certificate or key file.
  Result<void> start();

  // The bound port (the chosen one when the configuration says 0); 0 before start().
  std::uint16_t port() const;

  // Graceful: stops accepting, closes idle keep-alive connections, lets requests in flight
  // finish and answers them with "Connection: close", waits at most shutdown_timeout, then
  // closes whatever is left and joins the worker threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace observo::http

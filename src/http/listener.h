// Accepts connections and hands each one, on a new strand, to a plain or TLS session after
// asking ServerState whether it is served, answered 503, or dropped. Accept errors (say,
// EMFILE) are logged once per episode and retried after a short pause instead of spinning.
#pragma once

#include <future>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/server_state.h"
#include "observo/common/result.h"

namespace observo::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& io, ServerState& state);

  // Opens, binds and listens; returns the bound endpoint (the real port when 0 was asked).
  Result<boost::asio::ip::tcp::endpoint> open(const boost::asio::ip::tcp::endpoint& endpoint);

  void run();  // starts accepting

  // Closes the acceptor on its strand; the future is ready once it is closed.
  std::future<void> close();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void start_session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  ServerState& state_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  bool error_logged_ = false;
};

}  // namespace observo::http

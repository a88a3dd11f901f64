#include "http/listener.h"

#include <chrono>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "http/session.h"

namespace observo::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

constexpr std::chrono::milliseconds kAcceptRetry{100};

std::string describe(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

Listener::Listener(net::io_context& io, ServerState& state)
    : io_(io),
      state_(state),
      acceptor_(net::make_strand(io)),
      retry_timer_(acceptor_.get_executor()) {}

Result<tcp::endpoint> Listener::open(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return make_error("cannot open a socket for " + describe(endpoint) + ": " + ec.message());
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return make_error("cannot set SO_REUSEADDR: " + ec.message());
  acceptor_.bind(endpoint, ec);
  if (ec) return make_error("cannot bind " + describe(endpoint) + ": " + ec.message());
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return make_error("cannot listen on " + describe(endpoint) + ": " + ec.message());
  auto bound = acceptor_.local_endpoint(ec);
  if (ec) return make_error("cannot read the bound address: " + ec.message());
  return bound;
}

void Listener::run() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

std::future<void> Listener::close() {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  net::post(acceptor_.get_executor(), [self = shared_from_this(), done] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
    done->set_value();
  });
  return future;
}

void Listener::do_accept() {
  acceptor_.async_accept(net::make_strand(io_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open() || state_.stopping()) return;
    if (!error_logged_) {
      spdlog::warn("http: accepting a connection failed: {} (retrying)", ec.message());
      error_logged_ = true;
    }
    retry_timer_.expires_after(kAcceptRetry);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
    });
    return;
  }
  if (error_logged_) {
    spdlog::info("http: accepting connections again");
    error_logged_ = false;
  }
  if (state_.stopping()) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  start_session(std::move(socket));
  do_accept();
}

void Listener::start_session(tcp::socket socket) {
  const Admission admission = state_.admit();
  if (admission == Admission::kDrop) {
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    return;
  }
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("?") : describe(peer);
  const auto id = state_.next_id();
  std::shared_ptr<SessionControl> session;
  try {
    if (auto* tls = state_.tls()) {
      session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          state_, id, admission, remote, std::move(socket), *tls);
    } else {
      session = std::make_shared<Session<beast::tcp_stream>>(state_, id, admission, remote,
                                                             std::move(socket));
    }
  } catch (const std::exception& error) {
    // Only construction can throw (an SSL object that cannot be allocated); the session never
    // existed, so its slot is given back here.
    state_.release(id, admission);
    spdlog::warn("http: cannot start a session for {}: {}", remote, error.what());
    return;
  }
  session->run();
}

}  // namespace observo::http

#include "page_server.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace observo::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

template <typename Stream>
bool exchange(Stream& stream, const Page& page, std::map<std::string, std::string>* seen) {
  boost::system::error_code ec;
  beast::flat_buffer buffer;
  http::request<http::string_body> req;
  http::read(stream, buffer, req, ec);
  if (ec) return false;
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    (*seen)[name] = std::string(field.value());
  }
  http::response<http::string_body> res{static_cast<http::status>(page.status), 11};
  res.set(http::field::content_type, page.content_type);
  if (!page.content_encoding.empty()) res.set(http::field::content_encoding, page.content_encoding);
  res.keep_alive(false);
  res.body() = page.body;
  res.prepare_payload();
  http::write(stream, res, ec);
  return true;
}

}  // namespace

PageServer::PageServer(boost::asio::ssl::context* tls) : tls_(tls), acceptor_(io_) {
  const tcp::endpoint endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

PageServer::~PageServer() { stop(); }

void PageServer::set_page(Page page) {
  std::lock_guard lock(mutex_);
  page_ = std::move(page);
}

std::map<std::string, std::string> PageServer::last_headers() const {
  std::lock_guard lock(mutex_);
  return headers_;
}

void PageServer::stop() {
  if (stopping_.exchange(true)) return;
  // Wakes the accept() blocked in serve(); the socket is closed there.
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
}

void PageServer::serve() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec || stopping_) break;
    handle(std::move(socket));
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void PageServer::handle(tcp::socket socket) {
  // A client that connects and stays silent must not hold the server forever.
  const timeval timeout{2, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  Page page;
  {
    std::lock_guard lock(mutex_);
    page = page_;
  }
  std::map<std::string, std::string> seen;
  bool answered = false;
  if (tls_ != nullptr) {
    boost::asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
    boost::system::error_code ec;
    stream.handshake(boost::asio::ssl::stream_base::server, ec);
    if (!ec) {
      answered = exchange(stream, page, &seen);
      stream.shutdown(ec);
    }
  } else {
    answered = exchange(socket, page, &seen);
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
  if (!answered) return;
  ++requests_;
  std::lock_guard lock(mutex_);
  headers_ = std::move(seen);
}

}  // namespace observo::testing

// A small HTTP(S) server for the scrape client tests: serves one page (status, body, encoding)
// on 127.0.0.1 at a free port, one request per connection, and remembers the request headers
// it saw. Plain Beast over blocking sockets on one thread; stop() (or the destructor) wakes the
// blocked accept and joins, so every test ends by itself.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace observo::testing {

struct Page {
  int status = 200;
  std::string body{};
  std::string content_type = "text/plain; version=0.0.4";
  std::string content_encoding{};  // "gzip" when body is compressed
};

class PageServer {
 public:
  // With `tls`, speaks HTTPS (the context carries the server certificate and, for mutual TLS,
  // the client CA and verify mode).
  explicit PageServer(boost::asio::ssl::context* tls = nullptr);
  ~PageServer();
  PageServer(const PageServer&) = delete;
  PageServer& operator=(const PageServer&) = delete;

  std::uint16_t port() const { return port_; }
  void set_page(Page page);
  std::map<std::string, std::string> last_headers() const;  // lower-case names
  int requests() const { return requests_.load(); }
  void stop();  // idempotent; the port refuses connections afterwards

 private:
  void serve();
  void handle(boost::asio::ip::tcp::socket socket);

  boost::asio::ssl::context* tls_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  Page page_;
  std::map<std::string, std::string> headers_;
  std::thread thread_;
};

}  // namespace observo::testing

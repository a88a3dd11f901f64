// A small HTTP/1.1 client for the integration tests, built on Beast: plain or TLS (verifying
// the server against a test CA, optionally presenting a client certificate), every operation
// bounded by a timeout so that a broken server fails a test instead of hanging it. It also
// does the things a real client would not (half a request, raw bytes) to exercise the
// server's limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace observo::testing {

using ClientRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ClientResponse = boost::beast::http::response<boost::beast::http::string_body>;
using Headers = std::vector<std::pair<boost::beast::http::field, std::string>>;

struct TlsClientOptions {
  std::string ca_file;    // the server must chain to it (and be valid for "localhost")
  std::string cert_file;  // optional client certificate
  std::string key_file;
};

class TestClient {
 public:
  explicit TestClient(std::uint16_t port, std::optional<TlsClientOptions> tls = std::nullopt,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // TCP connect to 127.0.0.1:port, then the TLS handshake when TLS.
  boost::beast::error_code connect();
  boost::beast::error_code write_raw(std::string_view bytes);
  boost::beast::error_code send(ClientRequest request);
  // head: the response answers a HEAD (no body follows its headers).
  boost::beast::error_code receive(ClientResponse& response, bool head = false);
  // send() then receive().
  boost::beast::error_code request(ClientRequest request, ClientResponse& response);
  // Reads until the server closes; returns what ended the read (eof, reset) or timeout.
  boost::beast::error_code wait_for_close(std::chrono::milliseconds within);
  void close();

 private:
  boost::beast::tcp_stream& tcp();
  template <class Operation>
  boost::beast::error_code run(Operation&& operation);

  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  boost::asio::io_context io_;
  std::optional<boost::asio::ssl::context> tls_context_;
  std::unique_ptr<boost::beast::tcp_stream> plain_;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
  boost::beast::flat_buffer buffer_;
};

ClientRequest make_request(boost::beast::http::verb method, std::string target,
                           const Headers& headers = {});

// One request on a fresh connection; the response's result is 0 when it failed (error in ec).
ClientResponse fetch(std::uint16_t port, ClientRequest request,
                     boost::beast::error_code* ec = nullptr,
                     std::optional<TlsClientOptions> tls = std::nullopt);
ClientResponse get(std::uint16_t port, std::string target, const Headers& headers = {});

// Inflates a gzip stream with zlib; nullopt when it is not valid gzip.
std::optional<std::string> gunzip(std::string_view compressed);

}  // namespace observo::testing

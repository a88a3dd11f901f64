// A small HTTP/1.1 client for the AWS endpoints observo calls: X-Ray (HTTPS, SigV4), STS
// (HTTPS, unsigned) and the container / instance credential endpoints (plain HTTP on a link-local
// or, in tests, loopback address).
//
// Boost.Beast over OpenSSL with verified TLS (system roots or a configured CA file), SNI, a
// connect timeout and a whole-request timeout, and one kept-alive connection per client that is
// reused across calls and re-opened when the server closed it. One client per thread: it is not
// thread-safe. Never logs: requests carry signatures and tokens.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "observo/common/result.h"
#include "sources/xray/sigv4.h"

namespace observo::xray {

struct Url {
  std::string scheme;  // "https" or "http"
  std::string host;
  std::string port;
  std::string target;               // path and query, "/" at least
  std::string host_header() const;  // host[:port] when the port is not the scheme's default
};

Result<Url> parse_url(const std::string& text);

struct HttpClientOptions {
  std::string ca_file;  // PEM bundle; empty: the system roots
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  std::string header(const std::string& name) const;  // case-insensitive, "" when absent
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // `headers` are sent as given (Host is added when missing). Errors are transport errors;
  // any HTTP status is a response.
  Result<HttpResponse> request(const std::string& method, const Url& url, const HeaderList& headers,
                               const std::string& body);

  std::size_t connections_opened() const;  // for the connection-reuse test

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace observo::xray

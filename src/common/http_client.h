// A small HTTP/1.1 client shared by the sources that call out over HTTP: the X-Ray source (the
// X-Ray API, STS, the container / instance credential endpoints) and the Prometheus scrape
// client of the beyla source.
//
// Boost.Beast over OpenSSL with verified TLS (system roots or a configured CA file, optionally a
// client certificate, or no verification at all when asked), SNI, a connect timeout, a
// whole-request timeout, a body limit, and one kept-alive connection per client that is reused
// across calls and re-opened when the server closed it. One client per thread: it is not
// thread-safe. Never logs: requests carry signatures and tokens.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "observo/common/result.h"

namespace observo::common {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

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
  std::string client_cert{};  // PEM client certificate for mutual TLS (with client_key)
  std::string client_key{};
  bool skip_verify = false;                       // do not verify the server certificate
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // larger responses fail
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

  // Why the CA file, client certificate or key could not be loaded; empty when they could (an
  // https request fails with this message too).
  const std::string& tls_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace observo::common

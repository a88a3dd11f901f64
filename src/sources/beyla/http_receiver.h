// The OTLP/HTTP receiver: POST /v1/metrics and /v1/traces with application/x-protobuf or
// application/json bodies, optionally gzip-compressed, on otlp.http_listen (TLS or mTLS per
// otlp.tls) and optionally on a Unix socket (otlp.http_unix_socket, plaintext). A compact
// Boost.Beast server of its own (the beyla source never links observo_http): a timeout before
// every read and write, a header limit, a body limit of otlp.max_message_bytes (413 from the
// Content-Length before the body is read), and a cap on open connections.
//
// Status codes (OTLP/HTTP specification): 200 with an Export*ServiceResponse in the request's
// encoding, 400 malformed body, 401 missing or refused credential, 404 unknown path, 405 not
// POST (Allow: POST), 413 too large, 415 other content types or encodings, 429 over
// otlp.max_inflight_requests (Retry-After: 1). Error bodies are a google.rpc.Status
// ({code, message}): protobuf-encoded for protobuf requests, JSON otherwise.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <memory>

#include "observo/common/result.h"
#include "observo/config/config.h"
#include "sources/beyla/receiver.h"

namespace observo::beyla {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Answers one complete request (no socket: the sessions call it, and tests can).
HttpResponse handle_otlp_http(ReceiverContext& context, const HttpRequest& request);

// The answer to a request whose announced Content-Length is over the limit (sent before the
// body is read).
HttpResponse too_large_response(ReceiverContext& context, const HttpRequest& header_only);

class HttpReceiver {
 public:
  explicit HttpReceiver(ReceiverContext& context);
  ~HttpReceiver();  // stops
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  // Binds and starts two serving threads. Errors name the config key.
  Result<void> start(const config::OtlpConfig& config);
  void stop();  // idempotent; drops open connections

  std::uint16_t port() const;  // bound TCP port; 0 without a TCP listener

  static constexpr int kMaxConnections = 512;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace observo::beyla

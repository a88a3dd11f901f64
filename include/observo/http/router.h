// Routing as a plain function from request to response, the way Boost.Beast's examples do it:
// the Server reads a request, calls dispatch(), writes what comes back. Nothing here touches a
// socket, so every route, status code and header is testable without one.
//
// Routes (docs/http-api.md has the full contract):
//   GET /                 HTML status page
//   GET /metrics          exposition, format negotiated from Accept, ?format= overrides
//   GET /health           JSON health document
//   GET /ready            503 until AppContext::ready, then 200
//   GET /api/v1/metrics   same as /metrics
//   GET /api/v1/sources   JSON array of source statuses
// HEAD is allowed wherever GET is; OPTIONS answers 204 (CORS preflight when enabled).
// Errors are JSON: {"error": "...", "code": N}.
//
// Thread safety: dispatch() may run on many threads at once for one AppContext.
#pragma once

#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "observo/http/api_extension.h"
#include "observo/http/app_context.h"

namespace observo::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Handler label values of observo_http_requests_total: a fixed set, never the raw path.
inline constexpr std::string_view kHandlerRoot = "/";
inline constexpr std::string_view kHandlerMetrics = "/metrics";
inline constexpr std::string_view kHandlerHealth = "/health";
inline constexpr std::string_view kHandlerReady = "/ready";
inline constexpr std::string_view kHandlerApiMetrics = "/api/v1/metrics";
inline constexpr std::string_view kHandlerApiSources = "/api/v1/sources";
inline constexpr std::string_view kHandlerOther = "other";  // 404s, malformed requests

// What dispatch() produced and which route produced it (for self-metrics and logs).
struct Routed {
  Response response;
  std::string_view handler = kHandlerOther;  // one of the kHandler* constants
  StreamBody stream = {};  // an extension's streamed body (never for HEAD): see api_extension.h
};

// Answers one request. Never throws: a failing route becomes a 500 JSON error. The response
// carries the request's HTTP version and keep-alive, a Server header, and Content-Length (for
// HEAD: the length of the GET body, with an empty body).
Routed dispatch(AppContext& context, const Request& request);

// dispatch() without the handler name.
Response route(AppContext& context, const Request& request);

// A JSON error response {"error": message, "code": status} with the Server header set; used by
// the routes and by the server for errors that have no parsed request (400, 413, 431, 503).
Response error_response(boost::beast::http::status status, std::string_view message,
                        unsigned version = 11);

}  // namespace observo::http

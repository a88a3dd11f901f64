// The route table and everything every route shares: method checks, HEAD, OPTIONS and CORS,
// authentication of protected paths, and the conversion of a failing route into a 500.
#include "observo/http/router.h"

#include <array>
#include <exception>

#include <spdlog/spdlog.h>

#include "http/auth.h"
#include "http/cors.h"
#include "http/responses.h"
#include "http/routes.h"
#include "http/target.h"

namespace observo::http {

namespace bhttp = boost::beast::http;

namespace {

struct RouteEntry {
  std::string_view path;
  std::string_view handler;
  RouteHandler run;
};

constexpr std::array<RouteEntry, 6> kRoutes = {{
    {"/", kHandlerRoot, &index_route},
    {"/metrics", kHandlerMetrics, &metrics_route},
    {"/health", kHandlerHealth, &health_route},
    {"/ready", kHandlerReady, &ready_route},
    {"/api/v1/metrics", kHandlerApiMetrics, &metrics_route},
    {"/api/v1/sources", kHandlerApiSources, &sources_route},
}};

const RouteEntry* find_route(std::string_view path) {
  for (const auto& entry : kRoutes) {
    if (entry.path == path) return &entry;
  }
  return nullptr;
}

Response options_response() {
  Response response{bhttp::status::no_content, 11};
  response.set(bhttp::field::server, server_header());
  response.set(bhttp::field::allow, to_beast(kAllowedMethods));
  return response;
}

Response unauthorized(const config::AuthConfig& auth, AuthOutcome outcome) {
  if (outcome == AuthOutcome::kDenied) {
    return error_response(bhttp::status::forbidden, "invalid credentials");
  }
  Response response = error_response(bhttp::status::unauthorized, "authentication required");
  response.set(bhttp::field::www_authenticate, www_authenticate(auth));
  return response;
}

// The response before the per-request fields (version, keep-alive, CORS) are added.
Routed answer(AppContext& context, const Request& request) {
  const auto& server = context.config.server;
  const Target target = parse_target(to_std(request.target()));
  const RouteEntry* route = find_route(target.path);
  const std::string_view handler = route != nullptr ? route->handler : kHandlerOther;
  const auto method = request.method();

  // Preflights carry no credentials, so OPTIONS is answered before the auth check.
  if (method == bhttp::verb::options && route != nullptr) {
    Response response = options_response();
    add_preflight_headers(server.cors, request, response);
    return {std::move(response), handler};
  }
  // Protected prefixes are checked before the route table: a client without credentials
  // learns nothing about which API paths exist.
  if (is_protected(server.auth, target.path)) {
    const auto outcome =
        authenticate(server.auth, header_value(request, bhttp::field::authorization));
    if (outcome != AuthOutcome::kAllowed) return {unauthorized(server.auth, outcome), handler};
  }
  if (context.api != nullptr) {
    if (auto extension = context.api->handle(request)) {
      return {std::move(extension->response), extension->handler, std::move(extension->stream)};
    }
  }
  if (route == nullptr) {
    return {error_response(bhttp::status::not_found,
                           "no route for path (see / for the list of endpoints)"),
            kHandlerOther};
  }
  if (method != bhttp::verb::get && method != bhttp::verb::head) {
    Response response = error_response(bhttp::status::method_not_allowed,
                                       "method " + std::string(to_std(request.method_string())) +
                                           " not allowed on " + std::string(route->path));
    response.set(bhttp::field::allow, to_beast(kAllowedMethods));
    return {std::move(response), handler};
  }
  return {route->run(context, request, target), handler};
}

}  // namespace

Routed dispatch(AppContext& context, const Request& request) {
  Routed routed;
  try {
    routed = answer(context, request);
  } catch (const std::exception& error) {
    spdlog::error("http: handler for {} failed: {}", parse_target(to_std(request.target())).path,
                  error.what());
    routed = {error_response(bhttp::status::internal_server_error, "internal error"),
              kHandlerOther};
  } catch (...) {
    spdlog::error("http: handler failed with an unknown exception");
    routed = {error_response(bhttp::status::internal_server_error, "internal error"),
              kHandlerOther};
  }
  // Whatever the status, a HEAD answer has the GET headers and no body.
  if (request.method() == bhttp::verb::head) {
    routed.stream = nullptr;
    make_head(routed.response);
  }
  try {
    add_cors_headers(context.config.server.cors, request, routed.response);
  } catch (...) {
    // Only allocation can fail here; the response stays usable without CORS headers.
  }
  routed.response.version(request.version());
  routed.response.keep_alive(request.keep_alive());
  return routed;
}

Response route(AppContext& context, const Request& request) {
  return dispatch(context, request).response;
}

}  // namespace observo::http

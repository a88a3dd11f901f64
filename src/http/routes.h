// The route handlers behind router.cpp's table. Each one answers a GET whose path already
// matched and whose credentials already passed; HEAD, methods, auth and CORS are the router's.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/target.h"
#include "observo/http/router.h"

namespace observo::http {

using RouteHandler = Response (*)(AppContext& context, const Request& request,
                                  const Target& target);

// GET /metrics and GET /api/v1/metrics: format from ?format= or Accept, gzip when accepted.
Response metrics_route(AppContext& context, const Request& request, const Target& target);

// GET /health, GET /ready, GET /api/v1/sources (routes_status.cpp).
Response health_route(AppContext& context, const Request& request, const Target& target);
Response ready_route(AppContext& context, const Request& request, const Target& target);
Response sources_route(AppContext& context, const Request& request, const Target& target);

// GET /: the HTML status page (routes_page.cpp).
Response index_route(AppContext& context, const Request& request, const Target& target);

// &, <, >, " and ' as entities: everything dynamic on the status page goes through it.
std::string html_escape(std::string_view text);

// The JSON of one source in /api/v1/sources (also used by tests).
nlohmann::json source_json(const SourceStatus& status);

}  // namespace observo::http

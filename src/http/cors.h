// Cross-origin access for browser dashboards: which origins may read responses, and the
// answer to a preflight. Only active when server.cors.enabled; otherwise no CORS header is
// ever sent and browsers keep their same-origin default.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observo/config/config.h"
#include "observo/http/router.h"

namespace observo::http {

inline constexpr std::string_view kAllowedMethods = "GET, HEAD, OPTIONS";
inline constexpr std::string_view kCorsAllowedHeaders = "Accept, Authorization, Content-Type";
inline constexpr std::string_view kCorsMaxAgeSeconds = "600";

// The Access-Control-Allow-Origin value for a request from `origin`: "*" when the list holds
// "*", the origin itself when listed, nullopt when CORS is off, the origin is empty or not
// allowed.
std::optional<std::string> allowed_origin(const config::CorsConfig& cors, std::string_view origin);

// Adds Access-Control-Allow-Origin (and Vary: Origin when it echoes the origin).
void add_cors_headers(const config::CorsConfig& cors, const Request& request, Response& response);

// Adds the preflight headers when the request is a CORS preflight from an allowed origin.
void add_preflight_headers(const config::CorsConfig& cors, const Request& request,
                           Response& response);

}  // namespace observo::http

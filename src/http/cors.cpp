#include "http/cors.h"

#include <algorithm>

#include "http/responses.h"

namespace observo::http {

namespace bhttp = boost::beast::http;

std::optional<std::string> allowed_origin(const config::CorsConfig& cors, std::string_view origin) {
  if (!cors.enabled || origin.empty()) return std::nullopt;
  const auto& list = cors.allowed_origins;
  if (std::find(list.begin(), list.end(), "*") != list.end()) return std::string("*");
  if (std::find(list.begin(), list.end(), origin) != list.end()) return std::string(origin);
  return std::nullopt;
}

void add_cors_headers(const config::CorsConfig& cors, const Request& request, Response& response) {
  const auto origin = allowed_origin(cors, header_value(request, bhttp::field::origin));
  if (!origin) return;
  response.set(bhttp::field::access_control_allow_origin, *origin);
  if (*origin != "*") add_vary(response, "Origin");
}

void add_preflight_headers(const config::CorsConfig& cors, const Request& request,
                           Response& response) {
  if (header_value(request, bhttp::field::access_control_request_method).empty()) return;
  const auto origin = allowed_origin(cors, header_value(request, bhttp::field::origin));
  if (!origin) return;
  response.set(bhttp::field::access_control_allow_methods, to_beast(kAllowedMethods));
  response.set(bhttp::field::access_control_allow_headers, to_beast(kCorsAllowedHeaders));
  response.set(bhttp::field::access_control_max_age, to_beast(kCorsMaxAgeSeconds));
}

}  // namespace observo::http

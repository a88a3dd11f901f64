// Building responses: JSON bodies (errors included), the Server header, Vary lists, and the
// HEAD form of a GET response. Shared by the router, the routes and the server's own error
// answers so that every response looks the same.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "observo/http/router.h"

namespace observo::http {

inline constexpr std::string_view kJsonContentType = "application/json";
inline constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";

// Beast 1.74 speaks boost::string_view; observo code speaks std::string_view.
inline std::string_view to_std(boost::beast::string_view text) {
  return {text.data(), text.size()};
}
inline boost::beast::string_view to_beast(std::string_view text) {
  return {text.data(), text.size()};
}

// A request header's value ("" when absent).
inline std::string_view header_value(const Request& request, boost::beast::http::field field) {
  return to_std(request[field]);
}

// "observo/<version>".
const std::string& server_header();

// Serializes without throwing: invalid UTF-8 (say, in a source's error text) is replaced.
std::string dump_json(const nlohmann::json& value);

Response json_response(boost::beast::http::status status, const nlohmann::json& body);
Response text_response(boost::beast::http::status status, std::string body,
                       std::string_view content_type);

// Appends a token to the Vary header unless already present.
void add_vary(Response& response, std::string_view token);

// Keeps every header of a GET response, sets Content-Length to its body size, drops the body.
void make_head(Response& response);

}  // namespace observo::http

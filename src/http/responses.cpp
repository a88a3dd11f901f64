#include "http/responses.h"

#include "observo/common/build_info.h"

namespace observo::http {

namespace bhttp = boost::beast::http;

const std::string& server_header() {
  static const std::string value = "observo/" + std::string(version());
  return value;
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response text_response(bhttp::status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(bhttp::field::server, server_header());
  response.set(bhttp::field::content_type, to_beast(content_type));
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(bhttp::status status, const nlohmann::json& body) {
  return text_response(status, dump_json(body), kJsonContentType);
}

Response error_response(bhttp::status status, std::string_view message, unsigned version) {
  const nlohmann::json body = {{"error", message}, {"code", static_cast<unsigned>(status)}};
  Response response = json_response(status, body);
  response.version(version);
  return response;
}

void add_vary(Response& response, std::string_view token) {
  const auto existing = response[bhttp::field::vary];
  if (existing.empty()) {
    response.set(bhttp::field::vary, to_beast(token));
    return;
  }
  std::string_view rest = to_std(existing);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == token) return;
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  response.set(bhttp::field::vary, std::string(to_std(existing)) + ", " + std::string(token));
}

void make_head(Response& response) {
  const auto length = response.body().size();
  response.body().clear();
  response.content_length(length);
}

}  // namespace observo::http

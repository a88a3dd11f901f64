// GET /health, /ready and /api/v1/sources: what the server and each source report about
// themselves, as JSON.
#include <chrono>

#include "http/responses.h"
#include "http/routes.h"
#include "http/time_format.h"
#include "observo/common/build_info.h"

namespace observo::http {

namespace bhttp = boost::beast::http;
using nlohmann::json;

namespace {

json optional_time(const std::optional<std::chrono::system_clock::time_point>& time) {
  return time ? json(format_rfc3339(*time)) : json(nullptr);
}

json last_collection(const ServerStats& stats) {
  const auto ms = stats.last_collection_ms.load(std::memory_order_relaxed);
  if (ms == 0) return nullptr;
  return format_rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

// A source's own state (SourceStatus::details_json) joins its entry; the generic keys win, and
// text that is not a JSON object is ignored rather than failing the route.
void merge_details(json& entry, const SourceStatus& status) {
  if (status.details_json.empty()) return;
  const auto details = json::parse(status.details_json, nullptr, /*allow_exceptions=*/false);
  if (!details.is_object()) return;
  for (const auto& [key, value] : details.items()) {
    if (!entry.contains(key)) entry[key] = value;
  }
}

Response no_store(Response response) {
  response.set(bhttp::field::cache_control, "no-store");
  return response;
}

}  // namespace

json source_json(const SourceStatus& status) {
  return {
      {"name", status.name},
      {"enabled", status.enabled},
      {"up", status.up},
      {"collections", status.collections},
      {"last_success", optional_time(status.last_success)},
      {"last_error", status.last_error.empty() ? json(nullptr) : json(status.last_error)},
      {"last_error_time", optional_time(status.last_error_time)},
  };
}

Response health_route(AppContext& context, const Request&, const Target&) {
  const auto now = std::chrono::system_clock::now();
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(now - context.start_time).count();
  const auto& stats = context.stats;

  json sources = json::object();
  for (const auto& status : context.sources.list()) {
    sources[status.name] = {
        {"enabled", status.enabled},
        {"up", status.up},
        {"last_success", optional_time(status.last_success)},
        {"last_error", status.last_error.empty() ? json(nullptr) : json(status.last_error)},
    };
    merge_details(sources[status.name], status);
  }
  const json body = {
      {"status", "ok"},
      {"timestamp", format_rfc3339(now)},
      {"version", std::string(version())},
      {"uptime_seconds", uptime < 0 ? 0 : uptime},
      {"server",
       {
           {"running", stats.running.load()},
           {"port", stats.port.load()},
           {"requests", stats.requests.load()},
           {"metrics", stats.last_series.load()},
           {"collections", stats.collections.load()},
           {"last_collection", last_collection(stats)},
       }},
      {"sources", sources},
  };
  return no_store(json_response(bhttp::status::ok, body));
}

Response ready_route(AppContext& context, const Request&, const Target&) {
  if (context.stats.stopping.load()) {
    return no_store(json_response(bhttp::status::service_unavailable, {{"status", "stopping"}}));
  }
  if (!context.ready.load()) {
    return no_store(json_response(bhttp::status::service_unavailable, {{"status", "starting"}}));
  }
  return no_store(json_response(bhttp::status::ok, {{"status", "ready"}}));
}

Response sources_route(AppContext& context, const Request&, const Target&) {
  json body = json::array();
  for (const auto& status : context.sources.list()) body.push_back(source_json(status));
  return no_store(json_response(bhttp::status::ok, body));
}

}  // namespace observo::http

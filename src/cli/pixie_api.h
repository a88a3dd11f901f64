// The Pixie REST routes, installed into the HTTP server as an http::ApiExtension by
// `observo server` (the HTTP layer itself never sees the Pixie source):
//   GET  /api/v1/health?cluster_id=ID      200 {"status":"healthy",...} or 503 with the reason
//   GET  /api/v1/scripts, /api/v1/scripts/{name}
//   POST /api/v1/query  {"query","cluster_id","format","params"}; GET /api/v1/query?query=...
//   POST /api/v1/export {"query"|"script","params","cluster_id","format","options":{...}}
//   GET  /api/v1/metrics?script=NAME&...   runs the script now, Prometheus text
// Errors are JSON {"error","code"}: compile error 400, Vizier unreachable 502, unhealthy 503,
// deadline 504. Off (every route declines) when pixie.api_enabled is false.
#pragma once

#include <memory>

#include "observo/config/config.h"
#include "observo/http/api_extension.h"

namespace observo::cli {

std::unique_ptr<http::ApiExtension> make_pixie_api(const config::PixieConfig& config);

}  // namespace observo::cli

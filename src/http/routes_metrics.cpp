// GET /metrics and /api/v1/metrics: one collection from the hub, encoded in the negotiated
// format, gzip-compressed when the client allows it.
#include <chrono>
#include <string>

#include "http/responses.h"
#include "http/routes.h"
#include "observo/metrics/encoder.h"

namespace observo::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t kMaxEchoedFormat = 64;

void record_collection(ServerStats& stats, std::size_t series) {
  using namespace std::chrono;
  stats.collections.fetch_add(1, std::memory_order_relaxed);
  stats.last_series.store(series, std::memory_order_relaxed);
  const auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  stats.last_collection_ms.store(now_ms, std::memory_order_relaxed);
}

}  // namespace

Response metrics_route(AppContext& context, const Request& request, const Target& target) {
  metrics::Format format = metrics::Format::kPrometheus;
  if (const auto requested = target.param("format")) {
    const auto parsed = metrics::parse_format(*requested);
    if (!parsed) {
      std::string shown = requested->substr(0, kMaxEchoedFormat);
      return error_response(
          bhttp::status::bad_request,
          "unknown format \"" + shown + "\" (expected prometheus, openmetrics, json or csv)");
    }
    format = *parsed;
  } else {
    format = metrics::negotiate(header_value(request, bhttp::field::accept));
  }

  const metrics::Exposition exposition = context.hub.collect();
  std::string body;
  metrics::encode(format, exposition, body);
  record_collection(context.stats, exposition.series_count());

  Response response{bhttp::status::ok, 11};
  response.set(bhttp::field::server, server_header());
  response.set(bhttp::field::content_type, to_beast(metrics::content_type(format)));
  response.set(bhttp::field::cache_control, "no-store");
  add_vary(response, "Accept");
  add_vary(response, "Accept-Encoding");
  if (metrics::accepts_gzip(header_value(request, bhttp::field::accept_encoding))) {
    body = metrics::gzip_compress(body);
    response.set(bhttp::field::content_encoding, "gzip");
  }
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace observo::http

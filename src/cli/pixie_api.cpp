#include "cli/pixie_api.h"

#include <spdlog/spdlog.h>
#include <zlib.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "http/target.h"
#include "observo/common/build_info.h"
#include "observo/metrics/encoder.h"
#include "sources/pixie/client.h"
#include "sources/pixie/metrics_mapper.h"
#include "sources/pixie/script_json.h"
#include "sources/pixie/writers.h"

namespace observo::cli {
namespace {

namespace bhttp = boost::beast::http;
using http::ExtensionAnswer;
using http::Request;
using http::Response;
using namespace observo::pixie;

constexpr std::string_view kHandlerQuery = "/api/v1/query";
constexpr std::string_view kHandlerExport = "/api/v1/export";
constexpr std::string_view kHandlerHealth = "/api/v1/health";
constexpr std::string_view kHandlerScripts = "/api/v1/scripts";
constexpr std::string_view kHandlerScriptMetrics = "/api/v1/metrics?script";

Response make_response(bhttp::status status, std::string body, std::string_view type) {
  Response response{status, 11};
  response.set(bhttp::field::server, "observo/" + std::string(version()));
  response.set(bhttp::field::content_type, std::string(type));
  response.set(bhttp::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(bhttp::status status, const nlohmann::json& body) {
  return make_response(status, body.dump() + "\n", "application/json");
}

Response json_error(bhttp::status status, const std::string& message) {
  return json_response(status, {{"error", message}, {"code", static_cast<int>(status)}});
}

bhttp::status status_for(FailureKind kind) {
  switch (kind) {
    case FailureKind::kCompile:
    case FailureKind::kInvalidArgument:
      return bhttp::status::bad_request;
    case FailureKind::kDeadline:
      return bhttp::status::gateway_timeout;
    case FailureKind::kSink:
      return bhttp::status::internal_server_error;
    default:
      return bhttp::status::bad_gateway;
  }
}

// What a query or export asks for, from a JSON body or query parameters.
struct QuerySpec {
  std::string query;
  std::string script;
  std::map<std::string, std::string> params;
  std::string cluster_id;
  std::string format = "json";
  std::string compression;
};

Result<QuerySpec> spec_from_json(const std::string& body) {
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return make_error("the body is not a JSON object");
  QuerySpec spec;
  const auto text = [&doc](const char* key, std::string& out) -> Result<void> {
    if (!doc.contains(key) || doc[key].is_null()) return {};
    if (!doc[key].is_string()) return make_error(std::string(key) + " must be a string");
    out = doc[key].get<std::string>();
    return {};
  };
  for (auto [key, field] :
       {std::pair{"query", &spec.query}, std::pair{"script", &spec.script},
        std::pair{"cluster_id", &spec.cluster_id}, std::pair{"format", &spec.format}}) {
    if (auto ok = text(key, *field); !ok) return make_error(ok.error());
  }
  if (doc.contains("params") && !doc["params"].is_null()) {
    if (!doc["params"].is_object()) return make_error("params must be an object");
    for (const auto& [name, value] : doc["params"].items()) {
      if (!value.is_string()) return make_error("params." + name + " must be a string");
      spec.params[name] = value.get<std::string>();
    }
  }
  if (doc.contains("options") && doc["options"].is_object() &&
      doc["options"].contains("compression") && doc["options"]["compression"].is_string()) {
    spec.compression = doc["options"]["compression"].get<std::string>();
  }
  return spec;
}

// gzip (deflate with a gzip header) of a streamed body, passed on in pieces of up to
// kGzipPiece bytes so that a large export is compressed as it is produced.
class GzipStream {
 public:
  static constexpr std::size_t kGzipPiece = 64 * 1024;

  explicit GzipStream(const http::BodyWriter& out) : out_(out), buffer_(kGzipPiece, '\0') {
    ok_ = deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) ==
          Z_OK;
  }
  ~GzipStream() {
    if (ok_) deflateEnd(&z_);
  }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  Result<void> write(std::string_view text) { return deflate(text, Z_NO_FLUSH); }
  Result<void> finish() { return deflate({}, Z_FINISH); }

 private:
  Result<void> deflate(std::string_view text, int flush) {
    if (!ok_) return make_error("gzip: cannot initialise zlib");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z_.avail_in = static_cast<uInt>(text.size());
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(buffer_.data() + used_);
      z_.avail_out = static_cast<uInt>(kGzipPiece - used_);
      const int rc = ::deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return make_error("gzip: deflate failed");
      used_ = kGzipPiece - z_.avail_out;
      const bool end = flush == Z_FINISH && rc == Z_STREAM_END;
      if (used_ == kGzipPiece || (end && used_ > 0)) {
        if (auto sent = out_(std::string_view(buffer_.data(), used_)); !sent) return sent;
        used_ = 0;
      }
      if (end) return {};
      if (flush != Z_FINISH && z_.avail_in == 0 && z_.avail_out != 0) return {};
    }
  }

  const http::BodyWriter& out_;
  std::string buffer_;
  std::size_t used_ = 0;
  z_stream z_{};
  bool ok_ = false;
};

ExtensionAnswer plain(Response response) { return {std::move(response), {}, {}}; }

std::string now_rfc3339() {
  return rfc3339_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
}

class PixieApi : public http::ApiExtension {
 public:
  explicit PixieApi(config::PixieConfig config) : config_(std::move(config)) {}

  std::optional<ExtensionAnswer> handle(const Request& request) override {
    const auto target =
        http::parse_target(std::string_view(request.target().data(), request.target().size()));
    const auto path = target.path;
    const auto method = request.method();
    const bool get = method == bhttp::verb::get || method == bhttp::verb::head;
    const bool post = method == bhttp::verb::post;
    if (path == "/api/v1/health")
      return answer(kHandlerHealth, get, [&] { return health(target); });
    if (path == "/api/v1/scripts") return answer(kHandlerScripts, get, [&] { return scripts(); });
    if (path.starts_with("/api/v1/scripts/")) {
      return answer(kHandlerScripts, get, [&] { return script(std::string(path.substr(16))); });
    }
    if (path == "/api/v1/query") {
      return answer(kHandlerQuery, get || post, [&] { return query(request, target, false); });
    }
    if (path == "/api/v1/export") {
      return answer(kHandlerExport, post, [&] { return query(request, target, true); });
    }
    if (path == "/api/v1/metrics" && target.param("script")) {
      return answer(kHandlerScriptMetrics, get, [&] { return script_metrics(target); });
    }
    return std::nullopt;
  }

 private:
  template <typename Run>
  ExtensionAnswer answer(std::string_view handler, bool method_ok, Run run) {
    if (!method_ok) {
      return {json_error(bhttp::status::method_not_allowed, "method not allowed"), handler};
    }
    try {
      if constexpr (std::is_same_v<decltype(run()), ExtensionAnswer>) {
        auto answered = run();
        answered.handler = handler;
        return answered;
      } else {
        return {run(), handler};
      }
    } catch (const std::exception& e) {
      spdlog::error("pixie api: {}", e.what());
      return {json_error(bhttp::status::internal_server_error, "internal error"), handler};
    }
  }

  // The client of a cluster, connected on first use and kept.
  Result<VizierClient*> client(const std::string& cluster_id, config::PixieClusterConfig& out) {
    auto index = find_cluster(config_, cluster_id);
    if (!index) return make_error(index.error());
    out = config_.clusters[*index];
    std::lock_guard lock(mutex_);
    auto& slot = clients_[*index];
    if (!slot) {
      auto connection = connect(config_.clusters[*index], *index);
      if (!connection) return make_error(connection.error());
      for (const auto& warning : connection->warnings) spdlog::warn("pixie api: {}", warning);
      slot = std::make_unique<VizierClient>(std::move(*connection));
    }
    return slot.get();
  }

  Response health(const http::Target& target) {
    config::PixieClusterConfig cluster;
    auto c = client(target.param("cluster_id").value_or(""), cluster);
    if (!c) return json_error(bhttp::status::not_found, c.error());
    const auto result = (*c)->health(config_.health_timeout);
    nlohmann::json body = {{"status", result.healthy ? "healthy" : "unhealthy"},
                           {"cluster_id", cluster.id},
                           {"address", cluster.address},
                           {"latency_ms", result.latency.count()}};
    if (result.code >= 0) body["code"] = result.code;
    if (!result.healthy) body["error"] = result.failure.message;
    return json_response(result.healthy ? bhttp::status::ok : bhttp::status::service_unavailable,
                         body);
  }

  Result<std::vector<Script>> all_scripts() { return load_scripts(config_.scripts_dir); }

  Response scripts() {
    auto all = all_scripts();
    if (!all) return json_error(bhttp::status::internal_server_error, all.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : *all) out.push_back(script_json(s));
    return json_response(bhttp::status::ok, out);
  }

  Response script(const std::string& name) {
    auto all = all_scripts();
    if (!all) return json_error(bhttp::status::internal_server_error, all.error());
    const auto* found = find_script(*all, name);
    if (found == nullptr)
      return json_error(bhttp::status::not_found, "unknown script '" + name + "'");
    auto out = script_json(*found);
    out["pxl"] = found->pxl;
    return json_response(bhttp::status::ok, out);
  }

  // The PxL of a spec: the query itself, or a script rendered with its validated params.
  Result<std::pair<std::string, std::string>> pxl_of(const QuerySpec& spec) {
    if (!spec.script.empty()) {
      auto all = all_scripts();
      if (!all) return make_error(all.error());
      const auto* found = find_script(*all, spec.script);
      if (found == nullptr) return make_error("unknown script '" + spec.script + "'");
      auto pxl = render(*found, spec.params);
      if (!pxl) return make_error(pxl.error());
      return std::pair{*pxl, found->name};
    }
    if (spec.query.empty()) return make_error("query (or script) is required");
    return std::pair{spec.query, std::string("query")};
  }

  // JSON and CSV stream (api_extension.h): rows go to the client batch by batch, gzip-compressed
  // on the way for an export that asks for it; HEAD and the Prometheus format are buffered.
  ExtensionAnswer query(const Request& request, const http::Target& target, bool download) {
    QuerySpec spec;
    if (request.method() == bhttp::verb::post) {
      auto parsed = spec_from_json(request.body());
      if (!parsed) return plain(json_error(bhttp::status::bad_request, parsed.error()));
      spec = std::move(*parsed);
    } else {
      spec.query = target.param("query").value_or("");
      spec.cluster_id = target.param("cluster_id").value_or("");
      spec.format = target.param("format").value_or("json");
    }
    if (spec.format != "json" && spec.format != "csv" && spec.format != "prometheus") {
      return plain(json_error(bhttp::status::bad_request,
                              "format must be json, csv or prometheus, got '" + spec.format + "'"));
    }
    if (!spec.compression.empty() && spec.compression != "gzip" && spec.compression != "none") {
      return plain(
          json_error(bhttp::status::bad_request, "options.compression must be gzip or none"));
    }
    auto pxl = pxl_of(spec);
    if (!pxl) return plain(json_error(bhttp::status::bad_request, pxl.error()));
    config::PixieClusterConfig cluster;
    auto c = client(spec.cluster_id, cluster);
    if (!c) return plain(json_error(bhttp::status::not_found, c.error()));
    if (spec.format == "prometheus") {
      return plain(prometheus_query(spec, *pxl, cluster, **c, download));
    }

    const bool csv = spec.format == "csv";
    const bool gzip = download && spec.compression == "gzip";
    auto response = make_response(bhttp::status::ok, "",
                                  gzip  ? "application/gzip"
                                  : csv ? "text/csv; charset=utf-8"
                                        : "application/json");
    if (download) {
      std::string file = "observo-export." + spec.format + (gzip ? ".gz" : "");
      response.set(bhttp::field::content_disposition, "attachment; filename=\"" + file + "\"");
    }
    VizierClient* vizier = *c;
    QueryRequest run{pxl->first, "observo_" + pxl->second, cluster.query_timeout};
    RunInfo info{spec.script.empty() ? spec.query : spec.script, now_rfc3339()};
    http::StreamBody stream = [vizier, run, info, csv,
                               gzip](const http::BodyWriter& write) -> std::optional<Response> {
      std::optional<GzipStream> compressor;
      if (gzip) compressor.emplace(write);
      const Output output = [&](std::string_view text) -> Result<void> {
        return compressor ? compressor->write(text) : write(text);
      };
      std::unique_ptr<StreamWriter> writer;
      if (csv) {
        writer = std::make_unique<CsvWriter>(output, TimeFormat::kRfc3339);
      } else {
        writer = std::make_unique<JsonWriter>(output, info, TimeFormat::kRfc3339);
      }
      const auto started = std::chrono::steady_clock::now();
      const auto outcome = vizier->execute(run, *writer);
      if (!outcome.ok()) {
        return json_error(status_for(outcome.failure.kind), outcome.failure.message);
      }
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      auto done = writer->complete(outcome.stats, ms);
      if (done && compressor) done = compressor->finish();
      if (!done) return json_error(bhttp::status::internal_server_error, done.error());
      return std::nullopt;
    };
    if (request.method() != bhttp::verb::head) return {std::move(response), {}, std::move(stream)};
    std::string body;
    const auto failure = stream([&body](std::string_view text) -> Result<void> {
      body.append(text);
      return {};
    });
    if (failure) return plain(std::move(*failure));
    response.body() = std::move(body);
    response.prepare_payload();
    return plain(std::move(response));
  }

  // The Prometheus format: the result mapped to metrics and encoded whole (it is small).
  Response prometheus_query(const QuerySpec& spec, const std::pair<std::string, std::string>& pxl,
                            const config::PixieClusterConfig& cluster, VizierClient& vizier,
                            bool download) {
    std::string body;
    QueryRequest run{pxl.first, "observo_" + pxl.second, cluster.query_timeout};
    std::string type;
    QueryOutcome outcome;
    {
      TableCollector collector;
      outcome = vizier.execute(run, collector);
      if (outcome.ok()) {
        Script generic;
        generic.name = pxl.second;
        generic.builtin = false;
        if (!spec.script.empty()) {
          auto all = all_scripts();
          if (all) generic = *find_script(*all, spec.script);
        }
        auto snapshot = std::make_shared<metrics::Snapshot>(
            to_snapshot(map_tables(generic, collector.tables(), cluster.id)));
        metrics::encode_prometheus(metrics::make_exposition({snapshot}), body);
      }
      type = "text/plain; version=0.0.4; charset=utf-8";
    }
    if (!outcome.ok()) {
      return json_error(status_for(outcome.failure.kind), outcome.failure.message);
    }
    if (!download) return make_response(bhttp::status::ok, std::move(body), type);
    std::string file = "observo-export.prom";
    if (spec.compression == "gzip") {
      body = metrics::gzip_compress(body);
      type = "application/gzip";
      file += ".gz";
    }
    auto response = make_response(bhttp::status::ok, std::move(body), type);
    response.set(bhttp::field::content_disposition, "attachment; filename=\"" + file + "\"");
    return response;
  }

  Response script_metrics(const http::Target& target) {
    auto all = all_scripts();
    if (!all) return json_error(bhttp::status::internal_server_error, all.error());
    const auto name = *target.param("script");
    const auto* found = find_script(*all, name);
    if (found == nullptr)
      return json_error(bhttp::status::not_found, "unknown script '" + name + "'");
    std::map<std::string, std::string> params;
    for (const auto& param : found->params) {
      if (auto value = target.param(param.name)) params[param.name] = *value;
    }
    auto pxl = render(*found, params);
    if (!pxl) return json_error(bhttp::status::bad_request, pxl.error());
    config::PixieClusterConfig cluster;
    auto c = client(target.param("cluster_id").value_or(""), cluster);
    if (!c) return json_error(bhttp::status::not_found, c.error());
    TableCollector collector;
    const auto outcome =
        (*c)->execute({*pxl, "observo_" + found->name, cluster.query_timeout}, collector);
    if (!outcome.ok()) return json_error(status_for(outcome.failure.kind), outcome.failure.message);
    auto snapshot = std::make_shared<metrics::Snapshot>(
        to_snapshot(map_tables(*found, collector.tables(), cluster.id)));
    std::string body;
    metrics::encode_prometheus(metrics::make_exposition({snapshot}), body);
    return make_response(bhttp::status::ok, std::move(body),
                         "text/plain; version=0.0.4; charset=utf-8");
  }

  config::PixieConfig config_;
  std::mutex mutex_;
  std::map<std::size_t, std::unique_ptr<VizierClient>> clients_;
};

}  // namespace

std::unique_ptr<http::ApiExtension> make_pixie_api(const config::PixieConfig& config) {
  if (!config.api_enabled) return nullptr;
  return std::make_unique<PixieApi>(config);
}

}  // namespace observo::cli

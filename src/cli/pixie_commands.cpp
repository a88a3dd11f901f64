#include "cli/pixie_commands.h"

#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "observo/metrics/encoder.h"
#include "observo/metrics/hub.h"
#include "sources/pixie/client.h"
#include "sources/pixie/metrics_mapper.h"
#include "sources/pixie/script_json.h"
#include "sources/pixie/scripts.h"
#include "sources/pixie/writers.h"

namespace observo::cli {
namespace {

using namespace observo::pixie;

struct Target {
  config::Config config;
  config::PixieClusterConfig cluster;
  std::unique_ptr<VizierClient> client;
};

// Loads the configuration and connects to the selected cluster; prints the error otherwise.
std::optional<Target> connect_or_report(const GlobalOptions& options, const PixieOptions& pixie,
                                        const std::string& command) {
  auto config = load_config_or_report(options);
  if (!config) return std::nullopt;
  auto index = find_cluster(config->pixie, pixie.cluster_id);
  if (!index) {
    std::cerr << "observo " << command << ": " << index.error() << " (" << config->source << ")\n";
    return std::nullopt;
  }
  const auto& cluster = config->pixie.clusters[*index];
  auto connection = connect(cluster, *index);
  if (!connection) {
    std::cerr << "observo " << command << ": " << connection.error() << "\n";
    return std::nullopt;
  }
  for (const auto& warning : connection->warnings) {
    std::cerr << "observo: warning: " << warning << "\n";
  }
  Target target{*config, cluster, nullptr};
  target.client = std::make_unique<VizierClient>(std::move(*connection));
  return target;
}

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  return rfc3339_nanos(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
}

Result<void> write_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    return make_error("cannot write the output");
  }
  return {};
}

bool valid_choice(const std::string& value, std::initializer_list<const char*> choices,
                  const std::string& flag) {
  for (const char* choice : choices) {
    if (value == choice) return true;
  }
  std::string list;
  for (const char* choice : choices) list += (list.empty() ? "" : ", ") + std::string(choice);
  std::cerr << "observo: " << flag << " must be one of " << list << ", got '" << value << "'\n";
  return false;
}

// Runs PxL and prints the metrics its tables map to, in the Prometheus text format: the
// script's own mapping for builtin and mapped user scripts, pixie_<script>_<column> gauges
// otherwise (the mapping `observo server` applies).
int run_and_print_metrics(Target& target, const std::string& pxl, const Script& script,
                          const std::string& query_name, const std::string& command) {
  TableCollector collector;
  QueryRequest request{pxl, query_name, target.cluster.query_timeout};
  const auto outcome = target.client->execute(request, collector);
  if (!outcome.ok()) {
    std::cerr << "observo " << command << ": " << outcome.failure.message << "\n";
    return kExitFailed;
  }
  auto snapshot = std::make_shared<metrics::Snapshot>(
      to_snapshot(map_tables(script, collector.tables(), target.cluster.id)));
  std::string body;
  metrics::encode_prometheus(metrics::make_exposition({snapshot}), body);
  if (!write_stdout(body)) {
    std::cerr << "observo " << command << ": cannot write the output\n";
    return kExitFailed;
  }
  std::fflush(stdout);
  return kExitOk;
}

// Runs PxL on the target and streams the result to stdout in the requested format.
int run_and_write(Target& target, const PixieOptions& pixie, const std::string& pxl,
                  const Script& script, const std::string& query_name, const std::string& command) {
  if (pixie.format == "prometheus") {
    return run_and_print_metrics(target, pxl, script, query_name, command);
  }
  const auto time_format =
      pixie.time_format == "ns" ? TimeFormat::kNanoseconds : TimeFormat::kRfc3339;
  const std::string& label = script.builtin || !script.pxl.empty() ? script.name : pxl;
  std::unique_ptr<StreamWriter> writer;
  if (pixie.format == "csv") {
    writer = std::make_unique<CsvWriter>(write_stdout, time_format);
  } else {
    writer = std::make_unique<JsonWriter>(write_stdout, RunInfo{label, now_rfc3339()}, time_format);
  }
  const auto started = std::chrono::steady_clock::now();
  QueryRequest request{pxl, query_name, target.cluster.query_timeout};
  const auto outcome = target.client->execute(request, *writer);
  const double duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (outcome.ok()) {
    if (auto done = writer->complete(outcome.stats, duration_ms); !done) {
      std::cerr << "observo " << command << ": " << done.error() << "\n";
      return kExitFailed;
    }
    std::fflush(stdout);
    return kExitOk;
  }
  std::fflush(stdout);
  std::cerr << "observo " << command << ": " << outcome.failure.message << "\n";
  return kExitFailed;
}

std::optional<std::vector<Script>> scripts_or_report(const config::Config& config) {
  auto scripts = load_scripts(config.pixie.scripts_dir);
  if (!scripts) {
    std::cerr << "observo: " << scripts.error() << "\n";
    return std::nullopt;
  }
  return std::move(*scripts);
}

}  // namespace

int run_pixie_health(const GlobalOptions& options, const PixieOptions& pixie) {
  if (!valid_choice(pixie.output, {"text", "json"}, "--output")) return kExitUsage;
  auto target = connect_or_report(options, pixie, "health");
  if (!target) return kExitUsage;
  const auto result = target->client->health(target->config.pixie.health_timeout);
  if (pixie.output == "json") {
    nlohmann::json out = {{"cluster_id", target->cluster.id},
                          {"address", target->cluster.address},
                          {"status", result.healthy ? "healthy" : "unhealthy"},
                          {"latency_ms", result.latency.count()}};
    if (result.code >= 0) out["code"] = result.code;
    if (!result.healthy) out["error"] = result.failure.message;
    std::cout << out.dump() << "\n";
  } else if (result.healthy) {
    std::cout << "healthy: cluster " << target->cluster.id << " at " << target->cluster.address
              << " (status 0, " << result.latency.count() << " ms)\n";
  } else {
    std::cout << "unhealthy: cluster " << target->cluster.id << ": " << result.failure.message
              << "\n";
  }
  return result.healthy ? kExitOk : kExitFailed;
}

int run_pixie_query(const GlobalOptions& options, const PixieOptions& pixie,
                    const std::string& query) {
  if (!valid_choice(pixie.format, {"json", "csv", "prometheus"}, "--format")) return kExitUsage;
  if (!valid_choice(pixie.time_format, {"rfc3339", "ns"}, "--time-format")) return kExitUsage;
  auto target = connect_or_report(options, pixie, "query");
  if (!target) return kExitUsage;
  Script ad_hoc;  // an unmapped script named "query": numeric columns -> pixie_query_<column>
  ad_hoc.name = "query";
  ad_hoc.builtin = false;
  return run_and_write(*target, pixie, query, ad_hoc, "observo_query", "query");
}

int run_scripts_list(const GlobalOptions& options, const PixieOptions& pixie) {
  if (!valid_choice(pixie.output, {"text", "json"}, "--output")) return kExitUsage;
  auto config = load_config_or_report(options);
  if (!config) return kExitUsage;
  auto scripts = scripts_or_report(*config);
  if (!scripts) return kExitUsage;
  if (pixie.output == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& script : *scripts) out.push_back(script_json(script));
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& script : *scripts) {
    std::string name = script.name;
    name.resize(std::max<std::size_t>(name.size(), 18), ' ');
    std::string category = script.category;
    category.resize(std::max<std::size_t>(category.size(), 16), ' ');
    std::cout << name << " " << category << " " << script.description << "\n";
  }
  return kExitOk;
}

int run_scripts_help(const GlobalOptions& options, const PixieOptions& pixie,
                     const std::string& name) {
  auto config = load_config_or_report(options);
  if (!config) return kExitUsage;
  auto scripts = scripts_or_report(*config);
  if (!scripts) return kExitUsage;
  const auto* script = find_script(*scripts, name);
  if (script == nullptr) {
    std::string names;
    for (const auto& s : *scripts) names += (names.empty() ? "" : ", ") + s.name;
    std::cerr << "observo: unknown script '" << name << "' (available: " << names << ")\n";
    return kExitUsage;
  }
  if (pixie.output == "json") {
    auto out = script_json(*script);
    out["pxl"] = script->pxl;
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << script->name << " (" << script->category << ")\n  " << script->description
            << "\n\nParameters:\n"
            << describe_params(*script) << "\nOutput columns:\n";
  for (const auto& column : script->columns) {
    std::cout << "  " << column.name
              << (column.description.empty() ? "" : ": " + column.description) << "\n";
  }
  if (!script->metrics.empty()) {
    std::cout << "\nMetrics (observo server):\n";
    for (const auto& metric : script->metrics) {
      std::cout << "  " << metric.column << " -> " << metric.metric
                << (metric.quantile.empty() ? "" : "{quantile=\"" + metric.quantile + "\"}") << " ("
                << (metric.counter ? "counter" : "gauge") << ")\n";
    }
  }
  return kExitOk;
}

int run_scripts_run(const GlobalOptions& options, const PixieOptions& pixie,
                    const std::string& name, const std::string& params) {
  if (!valid_choice(pixie.format, {"json", "csv", "prometheus"}, "--format")) return kExitUsage;
  if (!valid_choice(pixie.time_format, {"rfc3339", "ns"}, "--time-format")) return kExitUsage;
  auto config = load_config_or_report(options);
  if (!config) return kExitUsage;
  auto scripts = scripts_or_report(*config);
  if (!scripts) return kExitUsage;
  const auto* script = find_script(*scripts, name);
  if (script == nullptr) {
    std::string names;
    for (const auto& s : *scripts) names += (names.empty() ? "" : ", ") + s.name;
    std::cerr << "observo: unknown script '" << name << "' (available: " << names << ")\n";
    return kExitUsage;
  }
  auto given = parse_params(params);
  if (!given) {
    std::cerr << "observo: " << given.error() << " (valid: " << describe_params(*script) << ")\n";
    return kExitUsage;
  }
  auto pxl = render(*script, *given);
  if (!pxl) {
    std::cerr << "observo: " << pxl.error() << "\nParameters of " << script->name << ":\n"
              << describe_params(*script);
    return kExitUsage;
  }
  auto target = connect_or_report(options, pixie, "scripts run");
  if (!target) return kExitUsage;
  return run_and_write(*target, pixie, *pxl, *script, "observo_" + script->name, "scripts run");
}

}  // namespace observo::cli

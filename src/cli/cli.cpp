#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/pixie_commands.h"

namespace observo::cli {
namespace {

// Global flags are accepted before or after the subcommand (`observo --config f server` and
// `observo server --config f`): they live on the top-level app and subcommands fall through.
void add_global_flags(CLI::App& app, GlobalOptions& options) {
  app.add_option("-c,--config", options.config_path,
                 "Configuration file (YAML); without it the embedded default is used")
      ->check(CLI::ExistingFile);
  app.add_option("--log-level", options.log_level, "Log level: trace|debug|info|warn|error");
  app.add_option("--log-format", options.log_format, "Log format: text|json");
  app.add_option("--listen-address", options.listen_address,
                 "Address the HTTP server binds (server.listen_address)");
  app.add_option("-p,--port", options.port, "Port the HTTP server listens on (server.port)");
}

struct SeedFlags {
  bool server = false;
  bool list_scripts = false;
  std::string script_help;
  std::string builtin_script;
  std::string script_params;
};

void add_seed_flags(CLI::App& app, SeedFlags& seed) {
  const char* group = "Flags of the earlier observo-connector";
  app.add_flag("--server", seed.server, "Same as `observo server`")->group(group);
  app.add_flag("--list-scripts", seed.list_scripts, "Same as `observo scripts list`")
      ->group(group);
  app.add_option("--script-help", seed.script_help, "Same as `observo scripts help NAME`")
      ->group(group);
  app.add_option("--builtin-script", seed.builtin_script, "Same as `observo scripts run NAME`")
      ->group(group);
  app.add_option("--script-params", seed.script_params,
                 "Script parameters \"k=v,k2=v2\" for --builtin-script")
      ->group(group);
}

// The earlier X-Ray exporter's flags (docs/xray.md), as overrides of xray.* keys.
void add_xray_flags(CLI::App& server, GlobalOptions& options) {
  struct Option {
    const char* flag;
    std::optional<std::string>* value;
    const char* help;
  };
  const Option xray_options[] = {
      {"--region", &options.xray_region, "AWS region (xray.region)"},
      {"--profile", &options.xray_profile, "AWS profile (xray.profile)"},
      {"--time-window", &options.xray_time_window, "Window in minutes (xray.time_window)"},
      {"--data-dir", &options.xray_data_dir, "State folder (xray.data_dir)"},
      {"--max-traces", &options.xray_max_traces, "Traces per window (xray.api.max_traces)"},
      {"--parallel-workers", &options.xray_parallel_workers,
       "Concurrent BatchGetTraces (xray.api.parallel_workers)"},
      {"--batch-size", &options.xray_batch_size, "IDs per BatchGetTraces (xray.api.batch_size)"},
      {"--retry-attempts", &options.xray_retry_attempts,
       "Retries per call (xray.api.retry_attempts)"},
      {"--max-trace-ids", &options.xray_max_trace_ids, "Processed IDs kept (xray.max_trace_ids)"},
      {"--retention-days", &options.xray_retention_days,
       "Days processed IDs are kept (xray.retention_days)"},
      {"--cleanup-age-hours", &options.xray_cleanup_age_hours,
       "Age limit of --clean-trace-ids (xray.cleanup_age_hours)"},
  };
  const char* group = "Flags of the earlier X-Ray exporter";
  for (const auto& option : xray_options) {
    server.add_option(option.flag, *option.value, option.help)->group(group);
  }
  server
      .add_flag("--clean-trace-ids", options.xray_clean_trace_ids,
                "Drop old processed IDs at start (xray.clean_trace_ids)")
      ->group(group);
  server
      .add_flag("--force-full-collection", options.xray_force_full_collection,
                "Ignore saved processed IDs (xray.force_full_collection)")
      ->group(group);
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "observo: one connector from Pixie, Beyla/OTLP, eBPF TC and AWS X-Ray to "
      "Prometheus metrics",
      "observo"};
  app.fallthrough();
  app.require_subcommand(0, 1);
  GlobalOptions options;
  SeedFlags seed;
  add_global_flags(app, options);
  add_seed_flags(app, seed);

  auto* server = app.add_subcommand("server", "Run the daemon: sources, registry, HTTP server");
  add_xray_flags(*server, options);
  auto* health = app.add_subcommand("health", "Check the health of a Pixie cluster");
  auto* query = app.add_subcommand("query", "Run a PxL query against a Pixie cluster");
  std::string query_text;
  query->add_option("query", query_text, "PxL script text")->required();
  PixieOptions pixie;
  const char* pixie_group = "Pixie";
  app.add_option("--cluster-id", pixie.cluster_id,
                 "Cluster of pixie.clusters to use (default: the first)")
      ->group(pixie_group);
  app.add_option("--output", pixie.output, "health, scripts list|help: text|json")
      ->group(pixie_group);
  app.add_option("--format", pixie.format, "query, scripts run: json|csv|prometheus")->group(pixie_group);
  app.add_option("--time-format", pixie.time_format,
                 "TIME64NS cells as rfc3339 (default) or ns (integer nanoseconds)")
      ->group(pixie_group);

  auto* scripts = app.add_subcommand("scripts", "Builtin and user PxL scripts");
  scripts->require_subcommand(1);
  auto* scripts_list = scripts->add_subcommand("list", "List the scripts");
  std::string script_name;
  auto* scripts_help = scripts->add_subcommand("help", "Describe one script");
  scripts_help->add_option("name", script_name, "Script name")->required();
  auto* scripts_run = scripts->add_subcommand("run", "Run one script");
  scripts_run->add_option("name", script_name, "Script name")->required();
  std::string run_params;
  scripts_run->add_option("--params", run_params, "Parameters \"k=v,k2=v2\"");

  auto* config = app.add_subcommand("config", "Configuration tools");
  config->require_subcommand(1);
  auto* config_check = config->add_subcommand(
      "check",
      "Validate the configuration, read every file it points at, and print the effective values "
      "(secrets redacted)");
  bool syntax_only = false;
  config_check->add_flag("--syntax-only", syntax_only,
                         "Check the configuration alone: do not read the certificate, key and "
                         "secret files or variables it names");

  auto* version = app.add_subcommand("version", "Print the version and exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "observo: " << e.what() << "\n"
              << "Run 'observo --help' for usage.\n";
    return kExitUsage;
  }

  if (*version) return run_version();
  if (*server || seed.server) return run_server(options);
  if (*config_check) return run_config_check(options, syntax_only);
  if (*health) return run_pixie_health(options, pixie);
  if (*query) return run_pixie_query(options, pixie, query_text);
  if (*scripts_list || seed.list_scripts) return run_scripts_list(options, pixie);
  if (*scripts_help) return run_scripts_help(options, pixie, script_name);
  if (!seed.script_help.empty()) return run_scripts_help(options, pixie, seed.script_help);
  if (*scripts_run) return run_scripts_run(options, pixie, script_name, run_params);
  if (!seed.builtin_script.empty()) {
    return run_scripts_run(options, pixie, seed.builtin_script, seed.script_params);
  }
  if (!seed.script_params.empty()) {
    std::cerr << "observo: --script-params needs --builtin-script NAME\n";
    return kExitUsage;
  }
  std::cerr << app.help() << "observo: no command given\n";
  return kExitUsage;
}

}  // namespace observo::cli

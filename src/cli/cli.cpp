#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"

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

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"observo: one connector from Pixie, Beyla/OTLP, eBPF TC and AWS X-Ray to "
               "Prometheus metrics",
               "observo"};
  app.fallthrough();
  app.require_subcommand(0, 1);
  GlobalOptions options;
  SeedFlags seed;
  add_global_flags(app, options);
  add_seed_flags(app, seed);

  auto* server = app.add_subcommand("server", "Run the daemon: sources, registry, HTTP server");
  auto* health = app.add_subcommand("health", "Check the health of a Pixie cluster");
  auto* query = app.add_subcommand("query", "Run a PxL query against a Pixie cluster");
  std::string query_text;
  query->add_option("query", query_text, "PxL script text")->required();
  std::string query_format = "json";
  query->add_option("--format", query_format, "Output format: json|csv|prometheus");

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
      "check", "Validate the configuration and print the effective values (secrets redacted)");

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
  if (*config_check) return run_config_check(options);
  if (*health) return run_pixie_command(options, "health");
  if (*query) return run_pixie_command(options, "query");
  if (*scripts_list || seed.list_scripts) return run_pixie_command(options, "scripts list");
  if (*scripts_help || !seed.script_help.empty()) {
    return run_pixie_command(options, "scripts help");
  }
  if (*scripts_run || !seed.builtin_script.empty()) {
    return run_pixie_command(options, "scripts run");
  }
  if (!seed.script_params.empty()) {
    std::cerr << "observo: --script-params needs --builtin-script NAME\n";
    return kExitUsage;
  }
  std::cerr << app.help() << "observo: no command given\n";
  return kExitUsage;
}

}  // namespace observo::cli

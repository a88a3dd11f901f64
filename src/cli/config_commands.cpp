// `observo config check` and `observo version`.
#include <iostream>

#include "cli/commands.h"
#include "observo/common/build_info.h"
#include "sources/pixie/config_check.h"

namespace observo::cli {

std::optional<config::Config> load_config_or_report(const GlobalOptions& options,
                                                    bool read_files) {
  config::LoadOptions load;
  load.path = options.config_path;
  load.overrides = options.overrides();
  load.read_files = read_files;
  auto loaded = config::load(load);
  if (!loaded) {
    std::cerr << "observo: " << loaded.error() << "\n";
    return std::nullopt;
  }
  return std::move(loaded).value();
}

int run_config_check(const GlobalOptions& options, bool syntax_only) {
  const auto config = load_config_or_report(options, !syntax_only);
  if (!config) return kExitUsage;
  if (!syntax_only) {
    // What observo server and the Pixie commands read when they start.
    const auto pixie = pixie::check_config(config->pixie);
    for (const auto& warning : pixie.warnings) std::cerr << "observo: warning: " << warning << "\n";
    for (const auto& error : pixie.errors) std::cerr << "observo: " << error << "\n";
    if (!pixie.errors.empty()) return kExitUsage;
  }
  std::cout << "# effective configuration from " << config->source << " (secrets redacted)\n"
            << config::render_effective(*config);
  std::cerr << (syntax_only ? "observo: configuration OK (syntax only: the files and variables "
                              "it points at were not read)\n"
                            : "observo: configuration OK\n");
  return kExitOk;
}

int run_version() {
  std::cout << "observo " << version() << " (revision " << revision() << ")\n";
  return kExitOk;
}

}  // namespace observo::cli

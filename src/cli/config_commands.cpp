// `observo config check` and `observo version`.
#include <iostream>

#include "cli/commands.h"
#include "observo/common/build_info.h"

namespace observo::cli {

std::optional<config::Config> load_config_or_report(const GlobalOptions& options) {
  config::LoadOptions load;
  load.path = options.config_path;
  load.overrides = options.overrides();
  auto loaded = config::load(load);
  if (!loaded) {
    std::cerr << "observo: " << loaded.error() << "\n";
    return std::nullopt;
  }
  return std::move(loaded).value();
}

int run_config_check(const GlobalOptions& options) {
  const auto config = load_config_or_report(options);
  if (!config) return kExitUsage;
  std::cout << "# effective configuration from " << config->source << " (secrets redacted)\n"
            << config::render_effective(*config);
  std::cerr << "observo: configuration OK\n";
  return kExitOk;
}

int run_version() {
  std::cout << "observo " << version() << " (revision " << revision() << ")\n";
  return kExitOk;
}

}  // namespace observo::cli

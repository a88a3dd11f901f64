// What `observo config check` verifies of pixie.* beyond the loader's rules: everything that
// `observo server` and the Pixie commands check when they start, so that a configuration that
// passes here does not fail there (certificate and key files, the JWT signing key, the scripts).
#pragma once

#include <string>
#include <vector>

#include "observo/common/result.h"
#include "observo/config/config.h"
#include "sources/pixie/connection.h"
#include "sources/pixie/scripts.h"

namespace observo::pixie {

struct ConfigCheck {
  std::vector<std::string> errors;    // one per cluster at most, then the scripts
  std::vector<std::string> warnings;  // skip_verify, certificates expiring within 7 days
};

// Every cluster is checked, enabled or not: `observo health` and `observo query` use them too.
ConfigCheck check_config(const config::PixieConfig& pixie,
                         SystemClock::time_point now = SystemClock::now());

// The builtin scripts and those of pixie.scripts_dir; every name in pixie.scripts must be one
// of them, and pixie.enabled needs at least one cluster.
Result<std::vector<Script>> load_configured_scripts(const config::PixieConfig& pixie);

}  // namespace observo::pixie

// A script's description as JSON, the same for `observo scripts list --output json` and
// GET /api/v1/scripts.
#pragma once

#include <nlohmann/json.hpp>

#include "sources/pixie/scripts.h"

namespace observo::pixie {

nlohmann::json script_json(const Script& script);

}  // namespace observo::pixie

// The schema entries of the otlp section (receivers, auth, translation, scrape targets): kept
// apart from schema.cpp because the section is long and has a list of mappings.
#pragma once

#include <vector>

#include "observo/config/schema.h"

namespace observo::config {

std::vector<KeySpec> otlp_keys();

}  // namespace observo::config

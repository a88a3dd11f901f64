// Reads the YAML configuration text into typed settings, one per key present in the file.
//
// This is where the file's shape is checked against the schema: syntax errors, unknown keys
// (with a "did you mean"), sections that are not mappings, duplicate keys and values of the
// wrong type or out of range, each reported with the file's 1-based line number.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/origin.h"
#include "observo/config/schema.h"

namespace observo::config::detail {

struct Setting {
  const KeySpec* spec = nullptr;
  Value value;
  Origin origin;
};

// `file_name` is used in messages and origins. Throws LoadError.
std::vector<Setting> read_yaml(std::string_view text, const std::string& file_name);

}  // namespace observo::config::detail

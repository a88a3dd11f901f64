// Reading the files a configuration points at (secrets, certificates) and resolving their paths.
//
// Errors name the key and the path, never the content: these files hold tokens, passwords and
// private keys.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "config/origin.h"
#include "observo/config/config.h"

namespace observo::config::detail {

// The whole file. Throws LoadError "<origin><key>: cannot read '<path>': <reason>".
std::string read_file_for(const Origin& origin, std::string_view key, const std::string& path);

// Makes every relative path set in the config file relative to `config_dir` instead (paths from
// the environment, the command line or the embedded default stay relative to the current
// directory, which is where a person typing them expects them to be).
void resolve_paths(Config& config, const Origins& origins, const std::filesystem::path& config_dir);

}  // namespace observo::config::detail

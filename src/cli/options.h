// What the command line said, before any of it is acted on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observo/config/loader.h"

namespace observo::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation ran and failed (for example unhealthy)
inline constexpr int kExitUsage = 2;   // usage or configuration error

struct GlobalOptions {
  std::string config_path;  // empty: the embedded default
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::string> listen_address;
  std::optional<std::string> port;  // validated by the config loader

  // The flags that map onto config keys, as overrides (highest precedence).
  std::vector<config::Override> overrides() const;
};

}  // namespace observo::cli

// Logging set-up: spdlog's default logger, writing text or JSON lines to stderr.
//
// Policy: log environment and network failures once per state change, not once per packet or
// request (count those in a metric instead). Never log secrets: tokens, keys, passwords,
// Authorization headers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <spdlog/common.h>

namespace observo::logging {

enum class LogFormat { kText, kJson };

std::optional<spdlog::level::level_enum> parse_level(std::string_view name);
std::optional<LogFormat> parse_format(std::string_view name);

// Replaces the default logger: stderr, the given level and format. Safe to call again.
void setup(spdlog::level::level_enum level, LogFormat format);

// JSON string escaping shared by the JSON log formatter (exposed for tests).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace observo::logging

// Text <-> value conversions for configuration scalars (integers, booleans, durations, sizes).
//
// The same rules apply whether a value comes from the YAML file, an environment variable or a
// command-line override, so they live in one place that the schema, the loader and the renderer
// share. Parsers return nullopt on malformed text; numbers that overflow saturate so that the
// caller's range check reports them as out of range rather than as malformed.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "observo/config/schema.h"

namespace observo::config::detail {

std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);
// "500ms", "10s", "2m", "1h", "1h30m", or a plain integer of seconds -> milliseconds.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// "1024", "8KiB", "1MiB", "1GiB", "1KB", "1MB", "1GB", "512B" -> bytes.
std::optional<std::int64_t> parse_size_bytes(std::string_view text);

std::string format_duration_ms(std::int64_t ms);
std::string format_size_bytes(std::int64_t bytes);
std::string quote(std::string_view text);  // a double-quoted YAML scalar

std::string_view trim(std::string_view text);
// Splits on commas, trims each item, drops empty items.
std::vector<std::string> split_list(std::string_view text);

// A value that does not fit its key; the message names neither the key nor where it came from
// (the caller adds both).
class BadValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "expected an integer", "expected one of none, bearer, basic", ...: what a key's value must be.
std::string expectation(const KeySpec& spec);

// Parses one scalar for a key of scalar type (everything but lists and maps), with range and
// choice checks. For kIntMap, parses one map value. Throws BadValue.
Value scalar_value(const KeySpec& spec, std::string_view text);

// Parses the text of an environment variable or a command-line override: scalars as above,
// lists comma-separated, maps as "name=1,other=2". Throws BadValue.
Value value_from_text(const KeySpec& spec, std::string_view text);

// Checks a map key (a metric family name). Throws BadValue.
void check_map_key(const KeySpec& spec, std::string_view name);

}  // namespace observo::config::detail

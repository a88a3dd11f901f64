// The configuration schema: one entry per key, the single place that knows a key's dotted path,
// type, range and whether it is secret.
//
// Everything generic about configuration is driven by this table rather than written per key:
// reading the YAML file, unknown-key detection with "did you mean", environment variable names,
// command-line overrides, rendering the effective config and the documentation checks. Adding a
// key means adding one entry in src/config/schema.cpp (and documenting it in
// config.example.yaml and docs/configuration.md, which a unit test enforces).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "observo/config/config.h"

namespace observo::config {

enum class KeyType {
  kBool,        // true / false (also yes/no, on/off, 1/0)
  kInt,         // decimal integer within [min, max]
  kPort,        // integer 0..65535
  kDuration,    // "500ms", "10s", "2m", "1h", "1m30s", or a plain integer of seconds
  kSize,        // bytes: "1MiB", "8KiB", "1GiB", "1MB", or a plain integer of bytes
  kString,      // any text
  kPath,        // a file path; relative paths are resolved by the loader
  kEnum,        // one of `choices`
  kStringList,  // YAML sequence; comma-separated in the environment and on the command line
  kIntMap,      // YAML mapping name -> integer within [min, max]; "a=1,b=2" in the environment
  // YAML sequence of mappings, each checked against `fields` (scalar keys only). Set in the file
  // only: the environment and the command line cannot express it, and say so.
  kObjectList,
};

// A parsed value. Integers, ports, durations (milliseconds) and sizes (bytes) are all int64;
// strings, paths and enum values are strings.
// One element of a kObjectList: field name -> scalar value (only the fields present in the file).
using FieldValue = std::variant<bool, std::int64_t, std::string>;
using ObjectValue = std::map<std::string, FieldValue>;
using Value = std::variant<bool, std::int64_t, std::string, std::vector<std::string>,
                           std::map<std::string, std::int64_t>, std::vector<ObjectValue>>;

struct KeySpec {
  std::string_view path;  // "server.tls.cert_file"
  KeyType type = KeyType::kString;
  std::string_view description;
  // Inclusive range for kInt, kPort, kSize (bytes), kDuration (milliseconds) and kIntMap values.
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::vector<std::string_view> choices = {};  // kEnum only
  // Secret-bearing: the key locates a credential observo checks clients against (a file or an
  // environment variable holding tokens or a password). It may be set in the file or the
  // environment, never on the command line. Its own value (a path, a variable name) is printed;
  // what it resolves to never is.
  bool secret = false;
  std::function<void(Config&, const Value&)> set = {};
  std::function<Value(const Config&)> get = {};
  // kObjectList only: the keys of each element (path = the field name, scalar types only).
  std::vector<KeySpec> fields = {};
  bool required = false;  // an element field that must be present
};

// Every key, grouped by section in the order of config.example.yaml.
const std::vector<KeySpec>& schema();

// The entry for a dotted path, or nullptr.
const KeySpec* find_key(std::string_view path);

// True when `path` is a section ("server", "server.tls") that holds keys.
bool is_section(std::string_view path);

// The closest known key or section to a misspelt path, for "did you mean" hints.
std::optional<std::string> suggest_key(std::string_view unknown);

// "server.tls.cert_file" -> "OBSERVO_SERVER_TLS_CERT_FILE".
std::string env_var_name(std::string_view path);

// A value as YAML text: durations as "10s", sizes as "8KiB", strings double-quoted,
// lists as ["a", "b"], maps as {"a": 1}.
std::string format_value(const KeySpec& spec, const Value& value);

// "integer 1..64", "duration", "one of none, bearer, basic": the type as documented.
std::string describe_type(const KeySpec& spec);

std::string_view auth_mode_name(AuthConfig::Mode mode);

}  // namespace observo::config

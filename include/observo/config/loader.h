// Loading, validating and printing observo's configuration.
//
// Precedence: command-line flag > environment variable OBSERVO_<SECTION>_<KEY> > file > default.
// Every key has one entry in a schema table (src/config/schema.cpp) that knows its path, type,
// range and whether it is secret; unknown keys, wrong types and out-of-range values are errors
// naming the key path and the file's line number.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observo/common/result.h"
#include "observo/config/config.h"

namespace observo::config {

// The text of config.example.yaml, embedded at build time: used when no --config is given.
extern const std::string_view kEmbeddedDefaultConfig;

// A setting from the command line, by key path: {"server.port", "9090"}. Keys marked secret in
// the schema are rejected here: secrets and where they come from are set in the file or the
// environment, never in a command line that `ps` shows to every user of the host.
struct Override {
  std::string key;
  std::string value;
  std::string flag = {};  // the flag it came from ("--port"), for error messages; may be empty
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();  // reads the real environment

struct LoadOptions {
  std::string path = {};  // empty: the embedded default
  EnvLookup env = process_env();
  std::vector<Override> overrides = {};
  // false: check the configuration alone, without reading the files and variables it points
  // at (TLS certificates and keys, auth secrets): `observo config check --syntax-only`, for a
  // configuration written for another machine (a Kubernetes ConfigMap).
  bool read_files = true;
};

// Parses, applies precedence, validates, resolves secrets, checks certificate files (the last
// two unless options.read_files is false).
// Errors look like: "config.yaml:12: server.port: 70000 is out of range (0..65535)",
// "environment OBSERVO_SERVER_PORT: server.port: ..." or "--port / server.port: ...".
// Relative file paths are resolved against the config file's folder when set in the file (the
// current directory otherwise), and the returned Config holds the resolved paths.
Result<Config> load(const LoadOptions& options);

// The effective configuration as YAML, every secret shown as "<redacted>".
std::string render_effective(const Config& config);

}  // namespace observo::config

// Where a configuration value came from, and the error type the loader throws internally.
//
// Every error names the key and where its value was set (a file line, an environment variable
// or a command-line flag), including errors found after merging, such as a TLS certificate that
// does not load; so the loader remembers an Origin for every key it sets.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace observo::config::detail {

struct Origin {
  enum class Kind { kDefault, kFile, kEnv, kOverride };
  Kind kind = Kind::kDefault;
  std::string where;  // the file name, the variable name or the flag (empty for an override)
  int line = 0;       // 1-based, files only

  // "config.yaml:4: ", "environment OBSERVO_SERVER_PORT: ", "--port / ", "command line: ", "".
  std::string prefix() const;
};

// Key path -> where its effective value was set; keys left at their default are absent.
using Origins = std::map<std::string, Origin, std::less<>>;

const Origin& origin_of(const Origins& origins, std::string_view path);

// Thrown inside the loader and turned into Result's error by load(): exceptions stay inside
// config parsing, at the edge, as the style guide allows.
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws LoadError("<origin prefix><path>: <message>").
[[noreturn]] void fail(const Origin& origin, std::string_view path, std::string_view message);

}  // namespace observo::config::detail

// Splitting a request target into path and query, and reading query parameters. Routes match
// the raw path exactly, so an encoded or dotted variant of a path never reaches a route it
// was not written for (and so never slips past the auth prefix check).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace observo::http {

struct Target {
  std::string_view path;   // up to '?' (or '#'), not decoded
  std::string_view query;  // after '?', without the fragment

  // The first value of `name` in the query, percent-decoded ('+' is a space); nullopt when the
  // parameter is absent. A parameter without '=' has the empty value.
  std::optional<std::string> param(std::string_view name) const;
};

Target parse_target(std::string_view target);

// Percent-decoding of one query component; malformed escapes are kept as they are.
std::string decode_query_component(std::string_view text);

}  // namespace observo::http

#include "config/origin.h"

namespace observo::config::detail {

std::string Origin::prefix() const {
  switch (kind) {
    case Kind::kDefault:
      return {};
    case Kind::kFile:
      return where + ":" + std::to_string(line) + ": ";
    case Kind::kEnv:
      return "environment " + where + ": ";
    case Kind::kOverride:
      return where.empty() ? "command line: " : where + " / ";
  }
  return {};
}

const Origin& origin_of(const Origins& origins, std::string_view path) {
  static const Origin kDefault;
  const auto found = origins.find(path);
  return found == origins.end() ? kDefault : found->second;
}

void fail(const Origin& origin, std::string_view path, std::string_view message) {
  throw LoadError(origin.prefix() + std::string(path) + ": " + std::string(message));
}

}  // namespace observo::config::detail

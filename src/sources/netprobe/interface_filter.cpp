#include "sources/netprobe/interface_filter.h"

#include <fnmatch.h>

#include <algorithm>

namespace observo::netprobe {
namespace {

bool any_matches(const std::vector<std::string>& patterns, const std::string& name) {
  return std::any_of(patterns.begin(), patterns.end(), [&name](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
  });
}

}  // namespace

InterfaceFilter::InterfaceFilter(std::vector<std::string> include, std::vector<std::string> exclude)
    : include_(std::move(include)), exclude_(std::move(exclude)) {}

bool InterfaceFilter::matches(std::string_view name) const {
  if (name.empty()) return false;
  const std::string text(name);
  return any_matches(include_, text) && !any_matches(exclude_, text);
}

}  // namespace observo::netprobe

// Which interfaces netprobe attaches to: netprobe.interfaces.include and .exclude, each a list of
// interface names or shell globs (fnmatch(3): *, ?, [...]).
//
// An interface is probed when its name matches at least one include pattern and no exclude
// pattern; exclude wins. An empty include list matches nothing, so probing every interface is an
// explicit "*" (the default). Matching is by name only and re-evaluated on every rename.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace observo::netprobe {

class InterfaceFilter {
 public:
  InterfaceFilter(std::vector<std::string> include, std::vector<std::string> exclude);

  bool matches(std::string_view name) const;

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
};

}  // namespace observo::netprobe

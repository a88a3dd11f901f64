// render_effective(): the merged configuration as YAML that loads back to the same Config.
// Resolved secrets appear only as "<redacted>" comments, so the output is safe to log or serve.
#include <string>
#include <string_view>
#include <vector>

#include "observo/config/loader.h"
#include "observo/config/schema.h"

namespace observo::config {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  for (auto dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
    out.push_back(path.substr(0, dot));
    path.remove_prefix(dot + 1);
  }
  out.push_back(path);
  return out;
}

// The line that follows a secret-bearing key and stands for what it resolved to.
std::string redacted_line(const KeySpec& spec, const Config& config) {
  const auto& auth = config.server.auth;
  if (spec.path == "server.auth.bearer_tokens_env" && !auth.bearer_tokens.empty()) {
    return "# bearer_tokens: <redacted> (" + std::to_string(auth.bearer_tokens.size()) +
           " resolved)";
  }
  if (spec.path == "server.auth.basic_password_env" && !auth.basic_password.empty()) {
    return "# basic_password: <redacted>";
  }
  return {};
}

}  // namespace

std::string render_effective(const Config& config) {
  std::string out = "# observo effective configuration, loaded from " +
                    (config.source.empty() ? std::string("defaults") : config.source) +
                    "\n# Secrets resolved from files and environment variables show as "
                    "<redacted>.\n";
  std::vector<std::string_view> open;  // the sections of the previous key
  for (const auto& spec : schema()) {
    auto parts = split_path(spec.path);
    const auto leaf = parts.back();
    parts.pop_back();
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    for (std::size_t i = common; i < parts.size(); ++i) {
      out += std::string(2 * i, ' ') + std::string(parts[i]) + ":\n";
    }
    open = parts;
    const std::string indent(2 * parts.size(), ' ');
    out += indent + std::string(leaf) + ": " + format_value(spec, spec.get(config)) + "\n";
    if (const auto redacted = redacted_line(spec, config); !redacted.empty()) {
      out += indent + redacted + "\n";
    }
  }
  return out;
}

}  // namespace observo::config

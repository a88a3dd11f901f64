// load(): the file, then the environment, then command-line overrides, then the checks that
// need the merged result (TLS files, secrets, cross-key rules).
#include "observo/config/loader.h"

#include <cstdlib>
#include <filesystem>

#include "config/files.h"
#include "config/origin.h"
#include "config/secrets.h"
#include "config/tls_check.h"
#include "config/value_text.h"
#include "config/yaml_reader.h"
#include "observo/config/schema.h"

namespace observo::config {
namespace {

using detail::fail;
using detail::LoadError;
using detail::Origin;
using detail::Origins;
using detail::Setting;

constexpr std::string_view kEmbeddedName = "<embedded default>";

// Message: "config file: cannot read 'path': No such file or directory".
std::string read_config_file(const std::string& path) {
  return detail::read_file_for(Origin{}, "config file", path);
}

void add_env_settings(const EnvLookup& env, std::vector<Setting>& settings) {
  if (!env) return;
  for (const auto& spec : schema()) {
    const auto name = env_var_name(spec.path);
    const auto text = env(name);
    if (!text || text->empty()) continue;  // empty counts as unset: Kubernetes leaves those
    const Origin origin{Origin::Kind::kEnv, name, 0};
    try {
      settings.push_back(Setting{&spec, detail::value_from_text(spec, *text), origin});
    } catch (const detail::BadValue& e) {
      fail(origin, spec.path, e.what());
    }
  }
}

void add_override_settings(const std::vector<Override>& overrides, std::vector<Setting>& settings) {
  for (const auto& item : overrides) {
    const Origin origin{Origin::Kind::kOverride, item.flag, 0};
    const auto* spec = find_key(item.key);
    // Neither message repeats the value: a misspelt secret key would otherwise print the secret.
    if (spec == nullptr) {
      std::string message = "unknown key";
      if (const auto hint = suggest_key(item.key)) message += " (did you mean " + *hint + "?)";
      fail(origin, item.key, message);
    }
    if (spec->secret) {
      fail(origin, item.key,
           "is secret-bearing and cannot be set on the command line; set it in the config file "
           "or in " +
               env_var_name(spec->path));
    }
    try {
      settings.push_back(Setting{spec, detail::value_from_text(*spec, item.value), origin});
    } catch (const detail::BadValue& e) {
      fail(origin, item.key, e.what());
    }
  }
}

// Rules that involve more than one key, or the meaning of a value beyond its type.
void check_rules(const Config& config, const Origins& origins) {
  const auto& server = config.server;
  if (server.listen_address.empty()) {
    fail(origin_of(origins, "server.listen_address"), "server.listen_address",
         "must not be empty (0.0.0.0 listens on every interface)");
  }
  for (const auto& path : server.auth.protected_paths) {
    if (path.empty() || path.front() != '/') {
      fail(origin_of(origins, "server.auth.protected_paths"), "server.auth.protected_paths",
           "'" + path + "' must start with /");
    }
  }
  if (server.cors.enabled && server.cors.allowed_origins.empty()) {
    fail(origin_of(origins, "server.cors.allowed_origins"), "server.cors.allowed_origins",
         "needs at least one origin when server.cors.enabled is true");
  }
}

Config load_or_throw(const LoadOptions& options) {
  const bool embedded = options.path.empty();
  const std::string file_name = embedded ? std::string(kEmbeddedName) : options.path;
  const std::string text =
      embedded ? std::string(kEmbeddedDefaultConfig) : read_config_file(options.path);

  auto settings = detail::read_yaml(text, file_name);
  add_env_settings(options.env, settings);
  add_override_settings(options.overrides, settings);

  Config config;
  Origins origins;
  for (const auto& setting : settings) {
    setting.spec->set(config, setting.value);
    origins.insert_or_assign(std::string(setting.spec->path), setting.origin);
  }
  const auto config_dir =
      embedded ? std::filesystem::path{}
               : std::filesystem::absolute(options.path).lexically_normal().parent_path();
  detail::resolve_paths(config, origins, config_dir);
  check_rules(config, origins);
  if (options.read_files) {
    detail::check_tls_files(config, origins);
    detail::resolve_secrets(config, origins, options.env);
  }
  config.source = file_name;
  return config;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> load(const LoadOptions& options) {
  try {
    return load_or_throw(options);
  } catch (const LoadError& e) {
    return make_error(e.what());
  } catch (const std::exception& e) {
    const auto where = options.path.empty() ? std::string(kEmbeddedName) : options.path;
    return make_error(where + ": " + e.what());
  }
}

}  // namespace observo::config

#include "config/secrets.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "config/files.h"
#include "config/value_text.h"

namespace observo::config::detail {
namespace {

constexpr std::string_view kMode = "server.auth.mode";
constexpr std::string_view kTokensFile = "server.auth.bearer_tokens_file";
constexpr std::string_view kTokensEnv = "server.auth.bearer_tokens_env";
constexpr std::string_view kUsername = "server.auth.basic_username";
constexpr std::string_view kPasswordFile = "server.auth.basic_password_file";
constexpr std::string_view kPasswordEnv = "server.auth.basic_password_env";

bool is_env_name(std::string_view name) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !name.empty() && !std::isdigit(static_cast<unsigned char>(name.front())) &&
         std::all_of(name.begin(), name.end(), word);
}

// The value of the variable named by `key`. The name is checked first and, when it is not a
// valid name, left out of the message: a token pasted there by mistake must not reach a log.
std::string read_env(const Origins& origins, std::string_view key, const std::string& name,
                     const EnvLookup& env) {
  const auto& origin = origin_of(origins, key);
  if (!is_env_name(name)) {
    fail(origin, key,
         "is not an environment variable name (give the variable's name, not its value)");
  }
  auto value = env ? env(name) : std::nullopt;
  if (!value) fail(origin, key, "environment variable " + name + " is not set");
  return std::move(*value);
}

void add_token(std::vector<std::string>& tokens, std::string_view token) {
  if (std::find(tokens.begin(), tokens.end(), token) == tokens.end()) tokens.emplace_back(token);
}

void resolve_bearer(AuthConfig& auth, const Origins& origins, const EnvLookup& env) {
  if (!auth.bearer_tokens_file.empty()) {
    const auto text =
        read_file_for(origin_of(origins, kTokensFile), kTokensFile, auth.bearer_tokens_file);
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto newline = rest.find('\n');
      const auto line = trim(rest.substr(0, newline));
      if (!line.empty() && line.front() != '#') add_token(auth.bearer_tokens, line);
      if (newline == std::string_view::npos) break;
      rest.remove_prefix(newline + 1);
    }
  }
  if (!auth.bearer_tokens_env.empty()) {
    for (const auto& token :
         split_list(read_env(origins, kTokensEnv, auth.bearer_tokens_env, env))) {
      add_token(auth.bearer_tokens, token);
    }
  }
  if (auth.bearer_tokens.empty()) {
    const bool configured = !auth.bearer_tokens_file.empty() || !auth.bearer_tokens_env.empty();
    fail(origin_of(origins, kMode), kMode,
         configured ? "bearer mode found no tokens in server.auth.bearer_tokens_file or "
                      "server.auth.bearer_tokens_env"
                    : "bearer mode needs tokens: set server.auth.bearer_tokens_file or "
                      "server.auth.bearer_tokens_env");
  }
}

void resolve_basic(AuthConfig& auth, const Origins& origins, const EnvLookup& env) {
  if (auth.basic_username.empty()) {
    fail(origin_of(origins, kMode), kUsername, "required when server.auth.mode is basic");
  }
  if (auth.basic_username.find(':') != std::string::npos) {
    fail(origin_of(origins, kUsername), kUsername, "must not contain ':'");
  }
  const bool from_file = !auth.basic_password_file.empty();
  const bool from_env = !auth.basic_password_env.empty();
  if (from_file && from_env) {
    fail(origin_of(origins, kPasswordEnv), kPasswordEnv,
         "set either server.auth.basic_password_file or server.auth.basic_password_env, not both");
  }
  if (!from_file && !from_env) {
    fail(origin_of(origins, kMode), kMode,
         "basic mode needs a password: set server.auth.basic_password_file or "
         "server.auth.basic_password_env");
  }
  if (from_file) {
    auth.basic_password =
        read_file_for(origin_of(origins, kPasswordFile), kPasswordFile, auth.basic_password_file);
    while (!auth.basic_password.empty() &&
           (auth.basic_password.back() == '\n' || auth.basic_password.back() == '\r')) {
      auth.basic_password.pop_back();
    }
    if (auth.basic_password.empty()) {
      fail(origin_of(origins, kPasswordFile), kPasswordFile,
           "'" + auth.basic_password_file + "' holds an empty password");
    }
  } else {
    auth.basic_password = read_env(origins, kPasswordEnv, auth.basic_password_env, env);
    if (auth.basic_password.empty()) {
      fail(origin_of(origins, kPasswordEnv), kPasswordEnv,
           "environment variable " + auth.basic_password_env + " holds an empty password");
    }
  }
}

}  // namespace

void resolve_secrets(Config& config, const Origins& origins, const EnvLookup& env) {
  auto& auth = config.server.auth;
  auth.bearer_tokens.clear();
  auth.basic_password.clear();
  switch (auth.mode) {
    case AuthConfig::Mode::kNone:
      return;
    case AuthConfig::Mode::kBearer:
      resolve_bearer(auth, origins, env);
      return;
    case AuthConfig::Mode::kBasic:
      resolve_basic(auth, origins, env);
      return;
  }
}

}  // namespace observo::config::detail

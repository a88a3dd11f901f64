// Authenticator for otlp.auth.mode none, token and jwt (see receiver.h and auth_jwt.h).
#include <openssl/crypto.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "common/jwt.h"
#include "common/read_file.h"
#include "sources/beyla/auth_jwt.h"
#include "sources/beyla/receiver.h"

namespace observo::beyla {

namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

Result<std::string> read_secret_file(const std::string& path, const std::string& key) {
  auto text = common::read_file(path);
  if (!text) return make_error(key + ": " + text.error());
  return text;
}

class AcceptAll final : public Authenticator {
 public:
  std::optional<std::string> check(std::string_view) const override { return std::nullopt; }
};

class TokenAuthenticator final : public Authenticator {
 public:
  explicit TokenAuthenticator(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}
  ~TokenAuthenticator() override {
    for (auto& token : tokens_) OPENSSL_cleanse(token.data(), token.size());
  }

  std::optional<std::string> check(std::string_view authorization) const override {
    const auto token = bearer_token(authorization);
    if (!token) return token.error();
    // Every token is compared, so the time taken does not tell which one nearly matched.
    bool match = false;
    for (const auto& accepted : tokens_) {
      match = common::constant_time_equal(*token, accepted) || match;
    }
    if (!match) return std::string("invalid bearer token");
    return std::nullopt;
  }

 private:
  std::vector<std::string> tokens_;
};

class JwtAuthenticator final : public Authenticator {
 public:
  JwtAuthenticator(std::string key, config::OtlpAuthConfig config)
      : key_(std::move(key)), config_(std::move(config)) {}
  ~JwtAuthenticator() override { OPENSSL_cleanse(key_.data(), key_.size()); }

  std::optional<std::string> check(std::string_view authorization) const override {
    const auto token = bearer_token(authorization);
    if (!token) return token.error();
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return check_jwt(*token, key_, config_, now);
  }

 private:
  std::string key_;
  config::OtlpAuthConfig config_;
};

Result<std::unique_ptr<Authenticator>> make_token_auth(const config::OtlpAuthConfig& config,
                                                       const Authenticator::EnvLookup& env) {
  std::vector<std::string> tokens;
  if (!config.tokens_file.empty()) {
    auto text = read_secret_file(config.tokens_file, "otlp.auth.tokens_file");
    if (!text) return make_error(text.error());
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      const auto token = trim(line);
      if (!token.empty() && token.front() != '#') tokens.emplace_back(token);
    }
    OPENSSL_cleanse(text->data(), text->size());
  }
  if (!config.tokens_env.empty()) {
    if (const auto value = env(config.tokens_env)) {
      std::string_view rest = *value;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto token = trim(rest.substr(0, comma));
        if (!token.empty()) tokens.emplace_back(token);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    }
  }
  if (tokens.empty()) {
    return make_error(
        "otlp.auth: mode token found no token in otlp.auth.tokens_file or otlp.auth.tokens_env");
  }
  return std::unique_ptr<Authenticator>(std::make_unique<TokenAuthenticator>(std::move(tokens)));
}

Result<std::unique_ptr<Authenticator>> make_jwt_auth(const config::OtlpAuthConfig& config,
                                                     const Authenticator::EnvLookup& env) {
  std::string key;
  if (!config.jwt_key_file.empty()) {
    auto text = read_secret_file(config.jwt_key_file, "otlp.auth.jwt_key_file");
    if (!text) return make_error(text.error());
    key = std::move(*text);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  } else if (!config.jwt_key_env.empty()) {
    key = env(config.jwt_key_env).value_or("");
  }
  if (key.empty()) {
    return make_error(
        "otlp.auth: mode jwt found no key in otlp.auth.jwt_key_file or otlp.auth.jwt_key_env");
  }
  return std::unique_ptr<Authenticator>(std::make_unique<JwtAuthenticator>(std::move(key), config));
}

bool audience_matches(const nlohmann::json& aud, const std::string& wanted) {
  if (aud.is_string()) return aud.get<std::string>() == wanted;
  if (!aud.is_array()) return false;
  for (const auto& item : aud) {
    if (item.is_string() && item.get<std::string>() == wanted) return true;
  }
  return false;
}

// A NumericDate claim as whole seconds; nullopt when absent or not a number.
std::optional<std::int64_t> numeric_date(const nlohmann::json& claims, const char* name) {
  const auto found = claims.find(name);
  if (found == claims.end() || !found->is_number()) return std::nullopt;
  const double value = found->get<double>();
  if (!std::isfinite(value) || std::abs(value) > 1e15) return std::nullopt;
  return static_cast<std::int64_t>(std::floor(value));
}

}  // namespace

Result<std::string_view> bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  if (authorization.empty()) return make_error("missing bearer token");
  constexpr std::string_view kScheme = "bearer";
  const auto lower = [](char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  };
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (i >= authorization.size() || lower(authorization[i]) != kScheme[i]) {
      return make_error("authorization is not Bearer");
    }
  }
  const auto rest = authorization.substr(kScheme.size());
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t') {
    return make_error("authorization is not Bearer");
  }
  const auto token = trim(rest);
  if (token.empty()) return make_error("missing bearer token");
  return token;
}

std::optional<std::string> check_jwt(std::string_view token, std::string_view key,
                                     const config::OtlpAuthConfig& config,
                                     std::int64_t now_unix_seconds) {
  const auto parts = common::verify_hs256_signature(token, key);
  if (!parts) return parts.error();
  const auto header = nlohmann::json::parse(parts->header_json, nullptr, false);
  if (header.is_discarded() || !header.is_object()) return std::string("malformed token");
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    return std::string("token algorithm is not HS256");
  }
  const auto claims = nlohmann::json::parse(parts->claims_json, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return std::string("malformed token claims");
  const std::int64_t leeway = kJwtLeeway.count();
  const auto exp = numeric_date(claims, "exp");
  if (!exp) return std::string("token has no exp claim");
  if (now_unix_seconds >= *exp + leeway) return std::string("token expired");
  if (claims.contains("nbf")) {
    const auto nbf = numeric_date(claims, "nbf");
    if (!nbf) return std::string("malformed nbf claim");
    if (now_unix_seconds + leeway < *nbf) return std::string("token not yet valid");
  }
  if (!config.jwt_audience.empty() &&
      !audience_matches(claims.value("aud", nlohmann::json()), config.jwt_audience)) {
    return std::string("token audience does not match");
  }
  if (!config.jwt_issuer.empty()) {
    const auto iss = claims.find("iss");
    if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != config.jwt_issuer) {
      return std::string("token issuer does not match");
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<Authenticator>> Authenticator::create(const config::OtlpAuthConfig& config,
                                                             const EnvLookup& env) {
  if (config.mode == "none") return std::unique_ptr<Authenticator>(std::make_unique<AcceptAll>());
  if (config.mode == "token") return make_token_auth(config, env);
  if (config.mode == "jwt") return make_jwt_auth(config, env);
  return make_error("otlp.auth.mode: unknown mode \"" + config.mode + "\" (none, token, jwt)");
}

}  // namespace observo::beyla

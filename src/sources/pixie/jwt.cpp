#include "sources/pixie/jwt.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

namespace observo::pixie {

std::string mint_service_jwt(std::string_view signing_key, std::string_view service,
                             SystemClock::time_point now, std::chrono::seconds lifetime) {
  const auto exp =
      std::chrono::duration_cast<std::chrono::seconds>((now + lifetime).time_since_epoch());
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  const nlohmann::json claims = {{"aud", "vizier"},     {"exp", exp.count()},
                                 {"iss", "PL"},         {"sub", std::string(service)},
                                 {"Scopes", "service"}, {"ServiceID", std::string(service)}};
  return common::sign_hs256(signing_key, header.dump(), claims.dump());
}

JwtCache::JwtCache(std::string signing_key, std::string service)
    : signing_key_(std::move(signing_key)), service_(std::move(service)) {}

JwtCache::~JwtCache() { OPENSSL_cleanse(signing_key_.data(), signing_key_.size()); }

std::string JwtCache::token(SystemClock::time_point now) {
  std::lock_guard lock(mutex_);
  if (token_.empty() || now + kRenewBefore >= expires_at_) {
    token_ = mint_service_jwt(signing_key_, service_, now, kLifetime);
    expires_at_ = now + kLifetime;
  }
  return token_;
}

}  // namespace observo::pixie

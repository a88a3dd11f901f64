// The HS256 service JWT that Vizier's query broker accepts: the same claims Vizier's own
// services mint (aud "vizier", iss "PL", sub and ServiceID, Scopes "service", exp), signed with
// the cluster's jwt-signing-key text used as raw HMAC key bytes, exactly as Vizier uses it.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "common/jwt.h"

namespace observo::pixie {

using SystemClock = std::chrono::system_clock;

// A signed token "header.claims.signature" (base64url, no padding).
std::string mint_service_jwt(std::string_view signing_key, std::string_view service,
                             SystemClock::time_point now, std::chrono::seconds lifetime);

using common::base64url_encode;  // src/common/jwt.h
using common::hmac_sha256;

// Hands out one token and mints a new one shortly before it expires. Thread-safe.
class JwtCache {
 public:
  JwtCache(std::string signing_key, std::string service);
  ~JwtCache();
  JwtCache(const JwtCache&) = delete;
  JwtCache& operator=(const JwtCache&) = delete;

  std::string token(SystemClock::time_point now = SystemClock::now());

  static constexpr std::chrono::seconds kLifetime{600};  // Vizier's own service tokens: 10 min
  static constexpr std::chrono::seconds kRenewBefore{60};

 private:
  std::string signing_key_;
  std::string service_;
  std::mutex mutex_;
  std::string token_;
  SystemClock::time_point expires_at_{};
};

}  // namespace observo::pixie

#include "sources/pixie/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

namespace observo::pixie {

std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&bytes](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[at]));
  };
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string mint_service_jwt(std::string_view signing_key, std::string_view service,
                             SystemClock::time_point now, std::chrono::seconds lifetime) {
  const auto exp =
      std::chrono::duration_cast<std::chrono::seconds>((now + lifetime).time_since_epoch());
  const nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  const nlohmann::json claims = {{"aud", "vizier"},     {"exp", exp.count()},
                                 {"iss", "PL"},         {"sub", std::string(service)},
                                 {"Scopes", "service"}, {"ServiceID", std::string(service)}};
  std::string signing_input =
      base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  const auto signature = hmac_sha256(signing_key, signing_input);
  return signing_input + "." + base64url_encode(signature);
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

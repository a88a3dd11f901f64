// The claim checks of the OTLP receiver's jwt mode, apart from Authenticator so that tests can
// pass the clock: an HS256 signature (alg "none" and every other algorithm refused), exp
// required, nbf honoured when present, both with kJwtLeeway of clock skew allowed, aud (string
// or array) and iss compared when the config names them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "observo/common/result.h"
#include "observo/config/config.h"

namespace observo::beyla {

inline constexpr std::chrono::seconds kJwtLeeway{30};

// nullopt: valid. Otherwise the reason, which never contains the token.
std::optional<std::string> check_jwt(std::string_view token, std::string_view key,
                                     const config::OtlpAuthConfig& config,
                                     std::int64_t now_unix_seconds);

// The token of "Bearer <token>" (scheme case-insensitive), or the reason it is missing.
Result<std::string_view> bearer_token(std::string_view authorization);

}  // namespace observo::beyla

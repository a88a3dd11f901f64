// Authentication of API requests: a bearer token or HTTP basic credentials, checked on paths
// under the configured protected prefixes. Comparisons take the same time whatever the input
// (both sides are hashed first, then compared with CRYPTO_memcmp), so a client cannot find a
// token byte by byte. Nothing here logs: credentials must never reach a log line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observo/config/config.h"

namespace observo::http {

enum class AuthOutcome {
  kAllowed,  // auth off, path not protected, or credentials right
  kMissing,  // no Authorization header, another scheme, or malformed: 401
  kDenied,   // well-formed credentials that match nothing configured: 403
};

bool is_protected(const config::AuthConfig& auth, std::string_view path);

// Checks the Authorization header value against the configuration (path already known to be
// protected).
AuthOutcome authenticate(const config::AuthConfig& auth, std::string_view authorization);

// The WWW-Authenticate challenge sent with a 401.
std::string www_authenticate(const config::AuthConfig& auth);

bool constant_time_equal(std::string_view a, std::string_view b);

// Standard base64 (RFC 4648, padding optional); nullopt for anything else.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace observo::http

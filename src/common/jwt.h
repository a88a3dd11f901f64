// The mechanics of HS256 JSON Web Tokens shared by the Pixie source (which mints service tokens
// for Vizier) and the OTLP receiver (which verifies the tokens senders present): base64url
// without padding, HMAC-SHA256, constant-time comparison, and splitting a token into its
// decoded parts after checking its signature. Claim checks (alg, exp, aud, ...) belong to the
// caller, which knows its policy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observo/common/result.h"

namespace observo::common {

std::string base64url_encode(std::string_view bytes);
// nullopt when `text` holds a character outside the base64url alphabet or has an impossible
// length (padding '=' is not accepted: JWTs carry none).
std::optional<std::string> base64url_decode(std::string_view text);

std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes

// Equal contents, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// "base64url(header).base64url(claims).base64url(HMAC-SHA256)" of the given JSON texts.
std::string sign_hs256(std::string_view key, std::string_view header_json,
                       std::string_view claims_json);

struct JwtParts {
  std::string header_json;  // decoded, not yet parsed
  std::string claims_json;
};

// Splits "header.claims.signature", decodes the parts and checks the HMAC-SHA256 signature with
// `key` in constant time. Errors: "malformed token", "invalid token signature".
Result<JwtParts> verify_hs256_signature(std::string_view token, std::string_view key);

}  // namespace observo::common

#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>

namespace observo::http {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data) {
  Digest digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits "Scheme credentials"; nullopt when the scheme is not `scheme` or nothing follows.
std::optional<std::string_view> credentials_for(std::string_view authorization,
                                                std::string_view scheme) {
  authorization = trim(authorization);
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  if (!iequals(authorization.substr(0, space), scheme)) return std::nullopt;
  const auto credentials = trim(authorization.substr(space + 1));
  if (credentials.empty()) return std::nullopt;
  return credentials;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

AuthOutcome check_bearer(const config::AuthConfig& auth, std::string_view authorization) {
  const auto token = credentials_for(authorization, "Bearer");
  if (!token) return AuthOutcome::kMissing;
  bool match = false;
  for (const auto& configured : auth.bearer_tokens) {
    // Every configured token is compared, so the time taken does not say which one matched.
    const bool equal = constant_time_equal(*token, configured);
    match = match || (equal && !configured.empty());
  }
  return match ? AuthOutcome::kAllowed : AuthOutcome::kDenied;
}

AuthOutcome check_basic(const config::AuthConfig& auth, std::string_view authorization) {
  const auto encoded = credentials_for(authorization, "Basic");
  if (!encoded) return AuthOutcome::kMissing;
  const auto decoded = decode_base64(*encoded);
  if (!decoded) return AuthOutcome::kMissing;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return AuthOutcome::kMissing;
  const std::string_view text(*decoded);
  const bool user_ok = constant_time_equal(text.substr(0, colon), auth.basic_username);
  const bool password_ok = constant_time_equal(text.substr(colon + 1), auth.basic_password);
  const bool configured = !auth.basic_username.empty() && !auth.basic_password.empty();
  return (user_ok & password_ok & configured) ? AuthOutcome::kAllowed : AuthOutcome::kDenied;
}

}  // namespace

bool is_protected(const config::AuthConfig& auth, std::string_view path) {
  if (auth.mode == config::AuthConfig::Mode::kNone) return false;
  for (const auto& prefix : auth.protected_paths) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}

AuthOutcome authenticate(const config::AuthConfig& auth, std::string_view authorization) {
  switch (auth.mode) {
    case config::AuthConfig::Mode::kNone:
      return AuthOutcome::kAllowed;
    case config::AuthConfig::Mode::kBearer:
      return check_bearer(auth, authorization);
    case config::AuthConfig::Mode::kBasic:
      return check_basic(auth, authorization);
  }
  return AuthOutcome::kDenied;
}

std::string www_authenticate(const config::AuthConfig& auth) {
  if (auth.mode == config::AuthConfig::Mode::kBasic) {
    return R"(Basic realm="observo", charset="UTF-8")";
  }
  return R"(Bearer realm="observo")";
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  const Digest left = sha256(a);
  const Digest right = sha256(b);
  return CRYPTO_memcmp(left.data(), right.data(), left.size()) == 0;
}

std::optional<std::string> decode_base64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned int accumulator = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = base64_value(c);
    if (value < 0) return std::nullopt;
    accumulator = (accumulator << 6) | static_cast<unsigned int>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xFFu));
    }
  }
  return out;
}

}  // namespace observo::http

// PEM certificates and private keys as OpenSSL reads them, for every place that checks a TLS
// file before using it: the configuration loader (server.tls, otlp.tls), the Pixie connection
// and the certificate expiry gauges. Callers word the errors: they know the config key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace observo::pem {

// Private key text, wiped before its memory is released.
class SecretText {
 public:
  explicit SecretText(std::string text) : text_(std::move(text)) {}
  ~SecretText();
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  const std::string& get() const { return text_; }

 private:
  std::string text_;
};

// How many certificates OpenSSL reads from `text`, stopping at the first block it cannot read.
std::size_t count_certificates(std::string_view text);

// The earliest notAfter of the certificates in `text`, as Unix seconds: a chain or a CA bundle
// stops working when its first certificate expires. Empty when no certificate can be read or
// a date cannot be.
std::optional<std::int64_t> earliest_not_after(std::string_view text);

// Where a certificate stands at `now` (notAfter and now in Unix seconds). kExpiresSoon: less
// than 7 days left, long enough to renew one by hand before a weekend ends.
enum class Expiry { kValid, kExpiresSoon, kExpired };
Expiry expiry_at(std::int64_t not_after, std::int64_t now);

// "has expired", "expires in less than 7 days"; empty for kValid. Follows "the certificate in
// '<path>'" in every message about it.
std::string_view describe(Expiry expiry);

enum class KeyPair { kMatches, kNoCertificate, kNoKey, kMismatch };

// Whether the unencrypted PEM private key in `key` belongs to the first certificate in `cert`.
// Never asks for a passphrase: an encrypted key is kNoKey.
KeyPair check_key_pair(std::string_view cert, const SecretText& key);

}  // namespace observo::pem

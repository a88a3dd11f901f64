#include "config/tls_check.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "config/files.h"

namespace observo::config::detail {
namespace {

// The keys of one TLS server section ("server.tls", "otlp.tls").
struct TlsKeys {
  explicit TlsKeys(const std::string& section)
      : enabled(section + ".enabled"),
        cert(section + ".cert_file"),
        key(section + ".key_file"),
        client_ca(section + ".client_ca_file") {}
  std::string enabled;
  std::string cert;
  std::string key;
  std::string client_ca;
};

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Private key text is wiped before its memory is released.
class SecretText {
 public:
  explicit SecretText(std::string text) : text_(std::move(text)) {}
  ~SecretText() { OPENSSL_cleanse(text_.data(), text_.size()); }
  SecretText(const SecretText&) = delete;
  SecretText& operator=(const SecretText&) = delete;
  const std::string& get() const { return text_; }

 private:
  std::string text_;
};

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Declines to ask for a passphrase: OpenSSL's default would prompt on the terminal.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

X509Ptr read_certificate(const Origins& origins, std::string_view key, const std::string& path) {
  const auto& origin = origin_of(origins, key);
  const auto text = read_file_for(origin, key, path);
  auto bio = memory_bio(text);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!cert) fail(origin, key, "'" + path + "' does not hold a PEM certificate");
  return cert;
}

PkeyPtr read_private_key(const Origins& origins, std::string_view key, const std::string& path) {
  const auto& origin = origin_of(origins, key);
  const SecretText text(read_file_for(origin, key, path));
  auto bio = memory_bio(text.get());
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  ERR_clear_error();
  if (!pkey) {
    fail(origin, key, "'" + path + "' does not hold an unencrypted PEM private key");
  }
  return pkey;
}

void check_client_ca(const Origins& origins, std::string_view key, const std::string& path) {
  const auto& origin = origin_of(origins, key);
  const auto text = read_file_for(origin, key, path);
  auto bio = memory_bio(text);
  int count = 0;
  while (bio) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    ++count;
  }
  ERR_clear_error();
  if (count == 0) fail(origin, key, "'" + path + "' does not hold a PEM certificate");
}

void check_section(const TlsServerConfig& tls, const std::string& section,
                   const Origins& origins) {
  if (!tls.enabled) return;
  const TlsKeys keys(section);
  const auto& enabled = origin_of(origins, keys.enabled);
  const auto required = "required when " + keys.enabled + " is true";
  if (tls.cert_file.empty()) fail(enabled, keys.cert, required);
  if (tls.key_file.empty()) fail(enabled, keys.key, required);

  const auto cert = read_certificate(origins, keys.cert, tls.cert_file);
  const auto pkey = read_private_key(origins, keys.key, tls.key_file);
  const bool match = X509_check_private_key(cert.get(), pkey.get()) == 1;
  ERR_clear_error();
  if (!match) {
    fail(origin_of(origins, keys.key), keys.key,
         "'" + tls.key_file + "' does not match the certificate in '" + tls.cert_file + "'");
  }
  if (!tls.client_ca_file.empty()) check_client_ca(origins, keys.client_ca, tls.client_ca_file);
}

}  // namespace

void check_tls_files(const Config& config, const Origins& origins) {
  check_section(config.server.tls, "server.tls", origins);
  if (config.otlp.enabled) check_section(config.otlp.tls, "otlp.tls", origins);
}

}  // namespace observo::config::detail

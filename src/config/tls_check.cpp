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

constexpr std::string_view kEnabled = "server.tls.enabled";
constexpr std::string_view kCert = "server.tls.cert_file";
constexpr std::string_view kKey = "server.tls.key_file";
constexpr std::string_view kClientCa = "server.tls.client_ca_file";

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

PkeyPtr read_private_key(const Origins& origins, const std::string& path) {
  const auto& origin = origin_of(origins, kKey);
  const SecretText text(read_file_for(origin, kKey, path));
  auto bio = memory_bio(text.get());
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  ERR_clear_error();
  if (!pkey) {
    fail(origin, kKey, "'" + path + "' does not hold an unencrypted PEM private key");
  }
  return pkey;
}

void check_client_ca(const Origins& origins, const std::string& path) {
  const auto& origin = origin_of(origins, kClientCa);
  const auto text = read_file_for(origin, kClientCa, path);
  auto bio = memory_bio(text);
  int count = 0;
  while (bio) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    ++count;
  }
  ERR_clear_error();
  if (count == 0) fail(origin, kClientCa, "'" + path + "' does not hold a PEM certificate");
}

}  // namespace

void check_tls_files(const Config& config, const Origins& origins) {
  const auto& tls = config.server.tls;
  if (!tls.enabled) return;
  const auto& enabled = origin_of(origins, kEnabled);
  if (tls.cert_file.empty()) fail(enabled, kCert, "required when server.tls.enabled is true");
  if (tls.key_file.empty()) fail(enabled, kKey, "required when server.tls.enabled is true");

  const auto cert = read_certificate(origins, kCert, tls.cert_file);
  const auto pkey = read_private_key(origins, tls.key_file);
  const bool match = X509_check_private_key(cert.get(), pkey.get()) == 1;
  ERR_clear_error();
  if (!match) {
    fail(origin_of(origins, kKey), kKey,
         "'" + tls.key_file + "' does not match the certificate in '" + tls.cert_file + "'");
  }
  if (!tls.client_ca_file.empty()) check_client_ca(origins, tls.client_ca_file);
}

}  // namespace observo::config::detail

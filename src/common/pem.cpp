#include "common/pem.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>
#include <memory>

namespace observo::pem {
namespace {

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

BioPtr memory_bio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Declines to ask for a passphrase: OpenSSL's default would prompt on the terminal.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

// Calls `visit` with each certificate in `text` until it returns false or none is left.
template <typename Visit>
void for_each_certificate(std::string_view text, Visit visit) {
  auto bio = memory_bio(text);
  while (bio) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert || !visit(*cert)) break;
  }
  ERR_clear_error();  // the end of the text reads as an error too
}

}  // namespace

SecretText::~SecretText() { OPENSSL_cleanse(text_.data(), text_.size()); }

std::size_t count_certificates(std::string_view text) {
  std::size_t count = 0;
  for_each_certificate(text, [&count](X509&) {
    ++count;
    return true;
  });
  return count;
}

std::optional<std::int64_t> earliest_not_after(std::string_view text) {
  std::optional<std::int64_t> earliest;
  bool readable = true;
  for_each_certificate(text, [&](X509& cert) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(&cert), &tm) != 1) {
      readable = false;
      return false;
    }
    const std::int64_t not_after = timegm(&tm);
    earliest = std::min(earliest.value_or(not_after), not_after);
    return true;
  });
  if (!readable) return std::nullopt;
  return earliest;
}

Expiry expiry_at(std::int64_t not_after, std::int64_t now) {
  constexpr std::int64_t kSoonSeconds = 7 * 86400;
  if (not_after < now) return Expiry::kExpired;  // notAfter itself is inside the validity
  if (not_after - now < kSoonSeconds) return Expiry::kExpiresSoon;
  return Expiry::kValid;
}

std::string_view describe(Expiry expiry) {
  switch (expiry) {
    case Expiry::kExpired:
      return "has expired";
    case Expiry::kExpiresSoon:
      return "expires in less than 7 days";
    case Expiry::kValid:
      break;
  }
  return {};
}

KeyPair check_key_pair(std::string_view cert_text, const SecretText& key) {
  auto cert_bio = memory_bio(cert_text);
  X509Ptr cert(cert_bio ? PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  auto key_bio = memory_bio(key.get());
  PkeyPtr pkey(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr)
                       : nullptr);
  KeyPair result = KeyPair::kMatches;
  if (!cert) {
    result = KeyPair::kNoCertificate;
  } else if (!pkey) {
    result = KeyPair::kNoKey;
  } else if (X509_check_private_key(cert.get(), pkey.get()) != 1) {
    result = KeyPair::kMismatch;
  }
  ERR_clear_error();
  return result;
}

}  // namespace observo::pem

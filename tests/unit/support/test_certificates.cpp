#include "test_certificates.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

namespace observo::testing {
namespace {

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return out;
}

}  // namespace

CertificatePem make_self_signed(const std::string& common_name, CertificateOptions options) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  EXPECT_TRUE(key && cert);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), options.valid_for_seconds < 0 ? -7200 : 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(options.valid_for_seconds));
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  EXPECT_GT(X509_sign(cert.get(), key.get(), EVP_sha256()), 0);

  CertificatePem pem;
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, cert.get());
  pem.cert = drain(cert_bio);
  BIO* key_bio = BIO_new(BIO_s_mem());
  if (options.passphrase.empty()) {
    PEM_write_bio_PrivateKey(key_bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PrivateKey(key_bio, key.get(), EVP_aes_128_cbc(),
                             reinterpret_cast<const unsigned char*>(options.passphrase.data()),
                             static_cast<int>(options.passphrase.size()), nullptr, nullptr);
  }
  pem.key = drain(key_bio);
  return pem;
}

}  // namespace observo::testing

// Certificates and keys made in memory with OpenSSL, for tests of the code that reads TLS files.
#pragma once

#include <cstdint>
#include <string>

namespace observo::testing {

struct CertificatePem {
  std::string cert;
  std::string key;
};

struct CertificateOptions {
  std::string passphrase = {};            // non-empty: the key is written encrypted
  std::int64_t valid_for_seconds = 3600;  // notAfter = now + this (may be negative: expired)
};

// A self-signed P-256 certificate for `common_name`, valid from now.
CertificatePem make_self_signed(const std::string& common_name, CertificateOptions options = {});

}  // namespace observo::testing

#include "config/tls_check.h"

#include <string>
#include <string_view>

#include "common/pem.h"
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

std::string read_certificates(const Origins& origins, std::string_view key,
                              const std::string& path) {
  const auto& origin = origin_of(origins, key);
  auto text = read_file_for(origin, key, path);
  if (pem::count_certificates(text) == 0) {
    fail(origin, key, "'" + path + "' does not hold a PEM certificate");
  }
  return text;
}

void check_section(const TlsServerConfig& tls, const std::string& section,
                   const Origins& origins) {
  if (!tls.enabled) return;
  const TlsKeys keys(section);
  const auto& enabled = origin_of(origins, keys.enabled);
  const auto required = "required when " + keys.enabled + " is true";
  if (tls.cert_file.empty()) fail(enabled, keys.cert, required);
  if (tls.key_file.empty()) fail(enabled, keys.key, required);

  const auto cert = read_certificates(origins, keys.cert, tls.cert_file);
  const auto& key_origin = origin_of(origins, keys.key);
  const pem::SecretText key(read_file_for(key_origin, keys.key, tls.key_file));
  switch (pem::check_key_pair(cert, key)) {
    case pem::KeyPair::kMatches:
    case pem::KeyPair::kNoCertificate:  // read_certificates has failed already
      break;
    case pem::KeyPair::kNoKey:
      fail(key_origin, keys.key,
           "'" + tls.key_file + "' does not hold an unencrypted PEM private key");
    case pem::KeyPair::kMismatch:
      fail(key_origin, keys.key,
           "'" + tls.key_file + "' does not match the certificate in '" + tls.cert_file + "'");
  }
  if (!tls.client_ca_file.empty()) read_certificates(origins, keys.client_ca, tls.client_ca_file);
}

}  // namespace

void check_tls_files(const Config& config, const Origins& origins) {
  check_section(config.server.tls, "server.tls", origins);
  if (config.otlp.enabled) check_section(config.otlp.tls, "otlp.tls", origins);
}

}  // namespace observo::config::detail

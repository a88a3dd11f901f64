#include "sources/pixie/connection.h"

#include <openssl/crypto.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/support/channel_arguments.h>

#include <cstdlib>

#include "common/pem.h"
#include "common/read_file.h"

namespace observo::pixie {
namespace {

constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

Result<std::string> read_text(const std::string& field, const std::string& path) {
  auto text = common::read_file(path);
  if (!text) return make_error(field + ": " + text.error());
  return text;
}

Result<void> check_key_matches(const std::string& prefix, const config::PixieClusterConfig& c,
                               const std::string& cert_text, const pem::SecretText& key) {
  switch (pem::check_key_pair(cert_text, key)) {
    case pem::KeyPair::kMatches:
      return {};
    case pem::KeyPair::kNoKey:
      return make_error(prefix + "client_key: '" + c.client_key +
                        "' does not hold an unencrypted PEM private key");
    case pem::KeyPair::kNoCertificate:
    case pem::KeyPair::kMismatch:
      break;
  }
  return make_error(prefix + "client_key: '" + c.client_key +
                    "' does not match the certificate in '" + c.client_cert + "'");
}

// `text` is the content of `path`. Expired is an error; under 7 days left, a warning.
Result<CertificateExpiry> check_certificate(const std::string& field, const std::string& path,
                                            const std::string& text, SystemClock::time_point now,
                                            std::vector<std::string>& warnings) {
  if (pem::count_certificates(text) == 0) {
    return make_error(field + ": '" + path + "' does not hold a PEM certificate");
  }
  const auto earliest = pem::earliest_not_after(text);
  if (!earliest) return make_error(field + ": '" + path + "' has an unreadable expiry date");
  const std::int64_t not_after = *earliest;
  const std::int64_t now_unix =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto expiry = pem::expiry_at(not_after, now_unix);
  const auto message =
      field + ": the certificate in '" + path + "' " + std::string(pem::describe(expiry));
  if (expiry == pem::Expiry::kExpired) return make_error(message);
  if (expiry == pem::Expiry::kExpiresSoon) warnings.push_back(message);
  return CertificateExpiry{field.substr(field.rfind('.') + 1), path, not_after};
}

}  // namespace

Result<std::string> read_signing_key(const config::PixieClusterConfig& cluster,
                                     const std::string& prefix) {
  std::string key;
  if (!cluster.jwt_signing_key_file.empty()) {
    auto text = read_text(prefix + "jwt_signing_key_file", cluster.jwt_signing_key_file);
    if (!text) return make_error(text.error());
    key = std::move(*text);
  } else if (!cluster.jwt_signing_key_env.empty()) {
    const char* value = std::getenv(cluster.jwt_signing_key_env.c_str());  // NOLINT
    if (value == nullptr || *value == '\0') {
      return make_error(prefix + "jwt_signing_key_env: variable " + cluster.jwt_signing_key_env +
                        " is not set");
    }
    key = value;
  } else {
    return std::string{};
  }
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
    key.pop_back();
  }
  if (key.empty()) return make_error(prefix + "jwt_signing_key: the signing key is empty");
  return key;
}

Result<ClusterFiles> read_cluster_files(const config::PixieClusterConfig& cluster,
                                        std::size_t index, SystemClock::time_point now) {
  const std::string prefix = "pixie.clusters[" + std::to_string(index) + "].";
  ClusterFiles out;
  if (cluster.address.empty()) return make_error(prefix + "address: must not be empty");
  if (cluster.client_cert.empty() != cluster.client_key.empty()) {
    return make_error(prefix + "client_cert and client_key must be set together");
  }
  if (!cluster.disable_ssl) {
    // Each file is read once: checked, then kept for the channel credentials.
    if (!cluster.ca_cert.empty()) {
      auto text = read_text(prefix + "ca_cert", cluster.ca_cert);
      if (!text) return make_error(text.error());
      auto ca = check_certificate(prefix + "ca_cert", cluster.ca_cert, *text, now, out.warnings);
      if (!ca) return make_error(ca.error());
      out.certificates.push_back(*ca);
      out.root = std::move(*text);
    }
    if (!cluster.client_cert.empty()) {
      auto cert = read_text(prefix + "client_cert", cluster.client_cert);
      if (!cert) return make_error(cert.error());
      auto client = check_certificate(prefix + "client_cert", cluster.client_cert, *cert, now,
                                      out.warnings);
      if (!client) return make_error(client.error());
      out.certificates.push_back(*client);
      auto key_text = read_text(prefix + "client_key", cluster.client_key);
      if (!key_text) return make_error(key_text.error());
      auto key = std::make_shared<pem::SecretText>(std::move(*key_text));
      if (auto match = check_key_matches(prefix, cluster, *cert, *key); !match) {
        return make_error(match.error());
      }
      out.cert_chain = std::move(*cert);
      out.private_key = std::move(key);
    }
    if (cluster.skip_verify) {
      out.warnings.push_back(prefix + "skip_verify: the server certificate of '" +
                             cluster.address +
                             "' is not verified; anyone on the path can read and change queries");
    }
  }
  auto key = read_signing_key(cluster, prefix);
  if (!key) return make_error(key.error());
  out.signing_key = std::move(*key);
  return out;
}

Result<Connection> connect(const config::PixieClusterConfig& cluster, std::size_t index,
                           SystemClock::time_point now) {
  auto files = read_cluster_files(cluster, index, now);
  if (!files) return make_error(files.error());
  Connection out;
  out.cluster_id = cluster.id;
  out.address = cluster.address;
  out.certificates = files->certificates;
  out.warnings = files->warnings;

  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (cluster.disable_ssl) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    const std::string& root = files->root;
    const std::string& cert_chain = files->cert_chain;
    const std::string no_key;
    const std::string& private_key = files->private_key ? files->private_key->get() : no_key;
    if (!cluster.server_name.empty()) args.SetSslTargetNameOverride(cluster.server_name);
    if (cluster.skip_verify) {
      // gRPC 1.51 skips server verification only through the experimental TLS credentials.
      grpc::experimental::TlsChannelCredentialsOptions options;
      std::vector<grpc::experimental::IdentityKeyCertPair> identity;
      if (!cert_chain.empty()) identity.push_back({private_key, cert_chain});
      // The static provider asserts on being given nothing: without a CA file and a client
      // certificate there is no provider at all (nothing to verify with, nothing to present).
      if (!root.empty() || !identity.empty()) {
        options.set_certificate_provider(
            std::make_shared<grpc::experimental::StaticDataCertificateProvider>(root, identity));
      }
      if (!root.empty()) options.watch_root_certs();
      if (!identity.empty()) options.watch_identity_key_cert_pairs();
      options.set_verify_server_certs(false);
      options.set_check_call_host(false);
      options.set_certificate_verifier(
          std::make_shared<grpc::experimental::NoOpCertificateVerifier>());
      credentials = grpc::experimental::TlsCredentials(options);
    } else {
      grpc::SslCredentialsOptions options;
      options.pem_root_certs = root;
      options.pem_cert_chain = cert_chain;
      options.pem_private_key = private_key;
      credentials = grpc::SslCredentials(options);
      OPENSSL_cleanse(options.pem_private_key.data(), options.pem_private_key.size());
    }
  }
  if (!credentials) return make_error("pixie.clusters[" + std::to_string(index) +
                                      "]: cannot build the channel credentials");

  if (!files->signing_key.empty()) {
    out.jwt = std::make_shared<JwtCache>(std::move(files->signing_key), cluster.jwt_service);
  }
  out.channel = grpc::CreateCustomChannel(cluster.address, credentials, args);
  return out;
}

Result<std::size_t> find_cluster(const config::PixieConfig& pixie, const std::string& id) {
  if (pixie.clusters.empty()) {
    return make_error(
        "no Pixie cluster is configured; add one to pixie.clusters (id, address, TLS and JWT "
        "settings) in the configuration file");
  }
  if (id.empty()) return std::size_t{0};
  std::string known;
  for (std::size_t i = 0; i < pixie.clusters.size(); ++i) {
    if (pixie.clusters[i].id == id) return i;
    known += (known.empty() ? "" : ", ") + pixie.clusters[i].id;
  }
  return make_error("unknown cluster id '" + id + "' (configured: " + known + ")");
}

}  // namespace observo::pixie

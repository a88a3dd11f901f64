// Everything needed to talk to one Vizier, built in one place: the certificate checks done at
// start (readable, PEM, key matches, not expired, expiry soon warned), the JWT signing key read
// from its file or variable, and the gRPC channel credentials (plaintext, TLS, mTLS, server name
// override, skip-verify). Errors name the config field, never a secret.
#pragma once

#include <grpcpp/channel.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/pem.h"
#include "observo/common/result.h"
#include "observo/config/config.h"
#include "sources/pixie/jwt.h"

namespace observo::pixie {

struct CertificateExpiry {
  std::string cert;  // "ca_cert", "client_cert"
  std::string path;
  std::int64_t not_after_unix = 0;
};

// What a cluster's configuration points at, read and checked: the CA and client certificate
// texts, the client key, the JWT signing key. `observo config check` reads them to report
// problems; connect() to build the channel.
struct ClusterFiles {
  std::string root;        // PEM CA bundle; empty: the system roots
  std::string cert_chain;  // PEM client certificate (mTLS); empty: none
  std::shared_ptr<const pem::SecretText> private_key;  // null when no client certificate
  std::string signing_key;                             // empty: calls carry no token
  std::vector<CertificateExpiry> certificates;
  std::vector<std::string> warnings;  // skip_verify, expiry soon
};

// `index` is the cluster's position in pixie.clusters (for messages). Errors name the field.
Result<ClusterFiles> read_cluster_files(const config::PixieClusterConfig& cluster,
                                        std::size_t index,
                                        SystemClock::time_point now = SystemClock::now());

struct Connection {
  std::string cluster_id;
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::shared_ptr<JwtCache> jwt;  // null: no signing key configured, calls carry no token
  std::vector<CertificateExpiry> certificates;
  std::vector<std::string> warnings;  // logged once by the caller (skip_verify, expiry soon)
};

Result<std::string> read_signing_key(const config::PixieClusterConfig& cluster,
                                     const std::string& prefix);

// `index` is the cluster's position in pixie.clusters (for messages).
Result<Connection> connect(const config::PixieClusterConfig& cluster, std::size_t index,
                           SystemClock::time_point now = SystemClock::now());

// The cluster named `id`, or the first when `id` is empty.
Result<std::size_t> find_cluster(const config::PixieConfig& pixie, const std::string& id);

}  // namespace observo::pixie

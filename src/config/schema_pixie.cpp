#include "config/schema_pixie.h"

#include <cstdint>
#include <string>

namespace observo::config {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kHour = 3600 * kSecond;

// Reads and writes one field of a cluster; ObjectValue holds only the types the field needs.
struct FieldBinding {
  KeySpec spec;
  std::function<void(PixieClusterConfig&, const FieldValue&)> set;
  std::function<FieldValue(const PixieClusterConfig&)> get;
};

FieldBinding text(KeySpec spec, std::string PixieClusterConfig::*member) {
  return {std::move(spec),
          [member](PixieClusterConfig& c, const FieldValue& v) {
            c.*member = std::get<std::string>(v);
          },
          [member](const PixieClusterConfig& c) -> FieldValue { return c.*member; }};
}
FieldBinding flag(KeySpec spec, bool PixieClusterConfig::*member) {
  return {std::move(spec),
          [member](PixieClusterConfig& c, const FieldValue& v) { c.*member = std::get<bool>(v); },
          [member](const PixieClusterConfig& c) -> FieldValue { return c.*member; }};
}
FieldBinding duration(KeySpec spec, Duration PixieClusterConfig::*member) {
  return {std::move(spec),
          [member](PixieClusterConfig& c, const FieldValue& v) {
            c.*member = Duration{std::get<std::int64_t>(v)};
          },
          [member](const PixieClusterConfig& c) -> FieldValue {
            return static_cast<std::int64_t>((c.*member).count());
          }};
}

const std::vector<FieldBinding>& bindings() {
  using enum KeyType;
  using C = PixieClusterConfig;
  static const std::vector<FieldBinding> kBindings = {
      text({.path = "id",
            .type = kString,
            .description = "Name of the cluster: the cluster_id label and --cluster-id.",
            .required = true},
           &C::id),
      text({.path = "address",
            .type = kString,
            .description = "host:port of the Vizier query broker (port 50300).",
            .required = true},
           &C::address),
      flag({.path = "disable_ssl", .type = kBool, .description = "Plaintext h2c instead of TLS."},
           &C::disable_ssl),
      text({.path = "ca_cert", .type = kPath, .description = "PEM CA of the server certificate."},
           &C::ca_cert),
      text({.path = "client_cert",
            .type = kPath,
            .description = "PEM client certificate for mutual TLS (with client_key)."},
           &C::client_cert),
      text({.path = "client_key", .type = kPath, .description = "PEM key of client_cert."},
           &C::client_key),
      text({.path = "server_name",
            .type = kString,
            .description = "Name checked in the server certificate and sent as SNI."},
           &C::server_name),
      flag({.path = "skip_verify",
            .type = kBool,
            .description = "Do not verify the server certificate (logs a warning)."},
           &C::skip_verify),
      text({.path = "jwt_signing_key_file",
            .type = kPath,
            .description = "File holding the cluster's JWT signing key.",
            .secret = true},
           &C::jwt_signing_key_file),
      text({.path = "jwt_signing_key_env",
            .type = kString,
            .description = "Variable holding the cluster's JWT signing key.",
            .secret = true},
           &C::jwt_signing_key_env),
      text({.path = "jwt_service",
            .type = kString,
            .description = "sub and ServiceID claims of the service JWT."},
           &C::jwt_service),
      duration({.path = "query_timeout",
                .type = kDuration,
                .description = "Deadline of one query.",
                .min = 100,
                .max = 1 * kHour},
               &C::query_timeout),
      duration({.path = "interval",
                .type = kDuration,
                .description = "How often observo server runs pixie.scripts on this cluster.",
                .min = 1 * kSecond,
                .max = 24 * kHour},
               &C::interval),
  };
  return kBindings;
}

}  // namespace

KeySpec pixie_clusters_key() {
  KeySpec spec{.path = "pixie.clusters",
               .type = KeyType::kObjectList,
               .description =
                   "Vizier clusters: id, address, TLS and JWT settings each; the first "
                   "is the default of --cluster-id. File only (no environment "
                   "variable)."};
  for (const auto& binding : bindings()) spec.fields.push_back(binding.spec);
  spec.set = [](Config& config, const Value& value) {
    config.pixie.clusters.clear();
    for (const auto& element : std::get<std::vector<ObjectValue>>(value)) {
      PixieClusterConfig cluster;
      for (const auto& binding : bindings()) {
        const auto found = element.find(std::string(binding.spec.path));
        if (found != element.end()) binding.set(cluster, found->second);
      }
      config.pixie.clusters.push_back(std::move(cluster));
    }
  };
  spec.get = [](const Config& config) -> Value {
    std::vector<ObjectValue> out;
    for (const auto& cluster : config.pixie.clusters) {
      ObjectValue element;
      for (const auto& binding : bindings()) {
        element.emplace(std::string(binding.spec.path), binding.get(cluster));
      }
      out.push_back(std::move(element));
    }
    return out;
  };
  return spec;
}

}  // namespace observo::config

#include "config/schema_pixie.h"

#include <cstdint>
#include <string>
#include <vector>

#include "config/object_list.h"

namespace observo::config {
namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kHour = 3600 * kSecond;

using detail::FieldBinding;

const std::vector<FieldBinding<PixieClusterConfig>>& bindings() {
  using enum KeyType;
  using C = PixieClusterConfig;
  static const std::vector<FieldBinding<C>> kBindings = {
      detail::text_field<C>(
          {.path = "id",
           .type = kString,
           .description = "Name of the cluster: the cluster_id label and --cluster-id.",
           .required = true},
          &C::id),
      detail::text_field<C>({.path = "address",
                             .type = kString,
                             .description = "host:port of the Vizier query broker (port 50300).",
                             .required = true},
                            &C::address),
      detail::flag_field<C>(
          {.path = "disable_ssl", .type = kBool, .description = "Plaintext h2c instead of TLS."},
          &C::disable_ssl),
      detail::text_field<C>(
          {.path = "ca_cert", .type = kPath, .description = "PEM CA of the server certificate."},
          &C::ca_cert),
      detail::text_field<C>(
          {.path = "client_cert",
           .type = kPath,
           .description = "PEM client certificate for mutual TLS (with client_key)."},
          &C::client_cert),
      detail::text_field<C>(
          {.path = "client_key", .type = kPath, .description = "PEM key of client_cert."},
          &C::client_key),
      detail::text_field<C>(
          {.path = "server_name",
           .type = kString,
           .description = "Name checked in the server certificate and sent as SNI."},
          &C::server_name),
      detail::flag_field<C>(
          {.path = "skip_verify",
           .type = kBool,
           .description = "Do not verify the server certificate (logs a warning)."},
          &C::skip_verify),
      detail::text_field<C>({.path = "jwt_signing_key_file",
                             .type = kPath,
                             .description = "File holding the cluster's JWT signing key.",
                             .secret = true},
                            &C::jwt_signing_key_file),
      detail::text_field<C>({.path = "jwt_signing_key_env",
                             .type = kString,
                             .description = "Variable holding the cluster's JWT signing key.",
                             .secret = true},
                            &C::jwt_signing_key_env),
      detail::text_field<C>({.path = "jwt_service",
                             .type = kString,
                             .description = "sub and ServiceID claims of the service JWT."},
                            &C::jwt_service),
      detail::duration_field<C>({.path = "query_timeout",
                                 .type = kDuration,
                                 .description = "Deadline of one query.",
                                 .min = 100,
                                 .max = 1 * kHour},
                                &C::query_timeout),
      detail::duration_field<C>(
          {.path = "interval",
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
  return detail::object_list_key(
      {.path = "pixie.clusters",
       .description = "Vizier clusters: id, address, TLS and JWT settings each; the first "
                      "is the default of --cluster-id. File only (no environment variable)."},
      bindings(), [](auto& config) -> auto& { return config.pixie.clusters; });
}

}  // namespace observo::config

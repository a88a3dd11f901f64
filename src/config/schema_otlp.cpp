#include "config/schema_otlp.h"

#include <cstdint>
#include <string>
#include <vector>

#include "config/object_list.h"

namespace observo::config {
namespace {

constexpr std::int64_t kMs = 1;
constexpr std::int64_t kSecond = 1000 * kMs;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kGiB = 1024 * 1024 * kKiB;

using detail::FieldBinding;

const std::vector<FieldBinding<OtlpScrapeTarget>>& scrape_bindings() {
  using enum KeyType;
  using T = OtlpScrapeTarget;
  static const std::vector<FieldBinding<T>> kBindings = {
      detail::text_field<T>({.path = "url",
                             .type = kString,
                             .description = "http:// or https:// URL of the page, e.g. "
                                            "http://beyla:9400/metrics.",
                             .required = true},
                            &T::url),
      detail::text_field<T>({.path = "name",
                             .type = kString,
                             .description = "Value of the target label; default host:port."},
                            &T::name),
      detail::duration_field<T>({.path = "interval",
                                 .type = kDuration,
                                 .description = "Time between scrapes.",
                                 .min = 1 * kSecond,
                                 .max = 1 * kHour},
                                &T::interval),
      detail::duration_field<T>({.path = "timeout",
                                 .type = kDuration,
                                 .description = "Deadline of one scrape.",
                                 .min = 100 * kMs,
                                 .max = 10 * kMinute},
                                &T::timeout),
      detail::text_field<T>({.path = "ca_file",
                             .type = kPath,
                             .description = "PEM CA of an https target; default system roots."},
                            &T::ca_file),
      detail::text_field<T>({.path = "client_cert",
                             .type = kPath,
                             .description = "PEM client certificate for mutual TLS."},
                            &T::client_cert),
      detail::text_field<T>(
          {.path = "client_key", .type = kPath, .description = "PEM key of client_cert."},
          &T::client_key),
      detail::flag_field<T>({.path = "skip_verify",
                             .type = kBool,
                             .description = "Do not verify the server certificate (logs a "
                                            "warning)."},
                            &T::skip_verify),
      detail::text_field<T>({.path = "bearer_token_file",
                             .type = kPath,
                             .description = "File holding a token sent as Authorization: "
                                            "Bearer.",
                             .secret = true},
                            &T::bearer_token_file),
      detail::text_field<T>({.path = "bearer_token_env",
                             .type = kString,
                             .description = "Variable holding that token.",
                             .secret = true},
                            &T::bearer_token_env),
  };
  return kBindings;
}

// `access` is a generic lambda returning the field of a (const or mutable) Config.
template <typename Access>
KeySpec key(KeySpec spec, Access access) {
  spec.set = [access](Config& config, const Value& value) {
    auto& field = access(config);
    using F = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<F, bool> || std::is_same_v<F, std::string> ||
                  std::is_same_v<F, std::vector<std::string>>) {
      field = std::get<F>(value);
    } else if constexpr (std::is_same_v<F, Duration>) {
      field = Duration{std::get<std::int64_t>(value)};
    } else {
      field = static_cast<F>(std::get<std::int64_t>(value));
    }
  };
  spec.get = [access](const Config& config) -> Value {
    const auto& field = access(config);
    using F = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<F, bool> || std::is_same_v<F, std::string> ||
                  std::is_same_v<F, std::vector<std::string>>) {
      return field;
    } else if constexpr (std::is_same_v<F, Duration>) {
      return static_cast<std::int64_t>(field.count());
    } else {
      return static_cast<std::int64_t>(field);
    }
  };
  return spec;
}

#define OBSERVO_OTLP(member) \
  [](auto& c) -> auto& { return c.otlp.member; }

}  // namespace

std::vector<KeySpec> otlp_keys() {
  using enum KeyType;
  return {
      key({.path = "otlp.enabled",
           .type = kBool,
           .description = "Run the OTLP receiver (Beyla, OpenTelemetry SDKs) and the otlp.scrape "
                          "targets; metrics appear on /metrics, spans become RED metrics."},
          OBSERVO_OTLP(enabled)),
      key({.path = "otlp.grpc_listen",
           .type = kString,
           .description = "host:port of the OTLP/gRPC receiver (MetricsService and "
                          "TraceService); port 0 picks a free port (logged); empty: none."},
          OBSERVO_OTLP(grpc_listen)),
      key({.path = "otlp.http_listen",
           .type = kString,
           .description = "host:port of the OTLP/HTTP receiver (POST /v1/metrics, /v1/traces); "
                          "port 0 picks a free port (logged); empty: none."},
          OBSERVO_OTLP(http_listen)),
      key({.path = "otlp.grpc_unix_socket",
           .type = kPath,
           .description = "Path of an extra OTLP/gRPC listener on a Unix socket (Beyla: "
                          "unix:///path); empty: none."},
          OBSERVO_OTLP(grpc_unix_socket)),
      key({.path = "otlp.http_unix_socket",
           .type = kPath,
           .description = "Path of an extra OTLP/HTTP listener on a Unix socket; empty: none."},
          OBSERVO_OTLP(http_unix_socket)),
      key({.path = "otlp.max_message_bytes",
           .type = kSize,
           .description = "Largest export request accepted, after gzip is undone; larger ones "
                          "get RESOURCE_EXHAUSTED (gRPC) or 413 (HTTP).",
           .min = 1 * kKiB,
           .max = 1 * kGiB},
          OBSERVO_OTLP(max_message_bytes)),
      key({.path = "otlp.max_inflight_requests",
           .type = kInt,
           .description = "Export requests processed at once; more get RESOURCE_EXHAUSTED "
                          "(gRPC) or 429 (HTTP), which OTLP clients retry.",
           .min = 1,
           .max = 65536},
          OBSERVO_OTLP(max_inflight_requests)),
      key({.path = "otlp.metric_expiration",
           .type = kDuration,
           .description = "Series not updated for this long disappear (as Beyla's ttl and the "
                          "collector's metric_expiration).",
           .min = 1 * kSecond,
           .max = 24 * kHour},
          OBSERVO_OTLP(metric_expiration)),
      key({.path = "otlp.resource_attributes",
           .type = kStringList,
           .description = "Resource attributes copied onto every series as labels (e.g. "
                          "k8s.namespace.name); all others go to target_info only."},
          OBSERVO_OTLP(resource_attributes)),
      key({.path = "otlp.scope_labels",
           .type = kBool,
           .description = "Add otel_scope_name and otel_scope_version labels, as the "
                          "OpenTelemetry collector's Prometheus exporter does."},
          OBSERVO_OTLP(scope_labels)),
      key({.path = "otlp.span_metrics",
           .type = kBool,
           .description = "Turn SERVER and CONSUMER spans into request, error and duration "
                          "metrics (traces_span_metrics_*)."},
          OBSERVO_OTLP(span_metrics)),
      key({.path = "otlp.service_graph",
           .type = kBool,
           .description = "Pair CLIENT/PRODUCER spans with their SERVER/CONSUMER children into "
                          "traces_service_graph_request_* edges."},
          OBSERVO_OTLP(service_graph)),
      key({.path = "otlp.service_graph_wait",
           .type = kDuration,
           .description = "How long one half of a client/server span pair waits for the "
                          "other; unpaired halves are then dropped and counted.",
           .min = 100 * kMs,
           .max = 10 * kMinute},
          OBSERVO_OTLP(service_graph_wait)),
      detail::object_list_key(
          {.path = "otlp.scrape",
           .description = "Prometheus pages to scrape and re-expose (Beyla's own endpoint): url, "
                          "name, interval, timeout, TLS and bearer token each. File only."},
          scrape_bindings(), [](auto& config) -> auto& { return config.otlp.scrape; }),
      key({.path = "otlp.tls.enabled",
           .type = kBool,
           .description = "TLS on the gRPC and HTTP receivers. Needs otlp.tls.cert_file and "
                          "otlp.tls.key_file."},
          OBSERVO_OTLP(tls.enabled)),
      key({.path = "otlp.tls.cert_file",
           .type = kPath,
           .description = "PEM certificate (chain) of the receivers."},
          OBSERVO_OTLP(tls.cert_file)),
      key({.path = "otlp.tls.key_file",
           .type = kPath,
           .description = "PEM private key of otlp.tls.cert_file."},
          OBSERVO_OTLP(tls.key_file)),
      key({.path = "otlp.tls.client_ca_file",
           .type = kPath,
           .description = "PEM CA certificates; when set, senders must present a certificate "
                          "signed by one of them (mutual TLS)."},
          OBSERVO_OTLP(tls.client_ca_file)),
      key({.path = "otlp.auth.mode",
           .type = kEnum,
           .description = "How senders authenticate (authorization: Bearer <credential>): none, "
                          "token (a static list) or jwt (HS256 JWTs signed with a shared key).",
           .choices = {"none", "token", "jwt"}},
          OBSERVO_OTLP(auth.mode)),
      key({.path = "otlp.auth.tokens_file",
           .type = kPath,
           .description = "token mode: file of accepted tokens, one per line; blank lines and "
                          "lines starting with # are ignored.",
           .secret = true},
          OBSERVO_OTLP(auth.tokens_file)),
      key({.path = "otlp.auth.tokens_env",
           .type = kString,
           .description = "token mode: name of a variable holding accepted tokens, "
                          "comma-separated.",
           .secret = true},
          OBSERVO_OTLP(auth.tokens_env)),
      key({.path = "otlp.auth.jwt_key_file",
           .type = kPath,
           .description = "jwt mode: file holding the HS256 key (trailing newlines dropped).",
           .secret = true},
          OBSERVO_OTLP(auth.jwt_key_file)),
      key({.path = "otlp.auth.jwt_key_env",
           .type = kString,
           .description = "jwt mode: name of a variable holding the HS256 key.",
           .secret = true},
          OBSERVO_OTLP(auth.jwt_key_env)),
      key({.path = "otlp.auth.jwt_audience",
           .type = kString,
           .description = "jwt mode: the aud claim a token must carry; empty: not checked."},
          OBSERVO_OTLP(auth.jwt_audience)),
      key({.path = "otlp.auth.jwt_issuer",
           .type = kString,
           .description = "jwt mode: the iss claim a token must carry; empty: not checked."},
          OBSERVO_OTLP(auth.jwt_issuer)),
  };
}

}  // namespace observo::config

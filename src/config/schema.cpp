// The schema table: every configuration key, in the order of config.example.yaml.
#include "observo/config/schema.h"

#include <cstddef>
#include <cstdint>

namespace observo::config {
namespace {

constexpr std::int64_t kMs = 1;
constexpr std::int64_t kSecond = 1000 * kMs;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;
constexpr std::int64_t kGiB = 1024 * kMiB;
constexpr std::int64_t kMaxSeries = 1'000'000'000;

// Conversions between Config fields and schema Values; values reaching a setter have already
// passed the key's type and range checks.
Value to_value(bool v) { return v; }
Value to_value(int v) { return std::int64_t{v}; }
Value to_value(std::uint16_t v) { return std::int64_t{v}; }
Value to_value(std::size_t v) { return static_cast<std::int64_t>(v); }
Value to_value(Duration v) { return static_cast<std::int64_t>(v.count()); }
Value to_value(const std::string& v) { return v; }
Value to_value(const std::vector<std::string>& v) { return v; }
Value to_value(const std::map<std::string, std::size_t>& v) {
  std::map<std::string, std::int64_t> out;
  for (const auto& [name, cap] : v) out.emplace(name, static_cast<std::int64_t>(cap));
  return out;
}
Value to_value(AuthConfig::Mode v) { return std::string(auth_mode_name(v)); }

std::int64_t as_int(const Value& v) { return std::get<std::int64_t>(v); }
void from_value(const Value& v, bool& out) { out = std::get<bool>(v); }
void from_value(const Value& v, int& out) { out = static_cast<int>(as_int(v)); }
void from_value(const Value& v, std::uint16_t& out) { out = static_cast<std::uint16_t>(as_int(v)); }
void from_value(const Value& v, std::size_t& out) { out = static_cast<std::size_t>(as_int(v)); }
void from_value(const Value& v, Duration& out) { out = Duration{as_int(v)}; }
void from_value(const Value& v, std::string& out) { out = std::get<std::string>(v); }
void from_value(const Value& v, std::vector<std::string>& out) {
  out = std::get<std::vector<std::string>>(v);
}
void from_value(const Value& v, std::map<std::string, std::size_t>& out) {
  out.clear();
  for (const auto& [name, cap] : std::get<std::map<std::string, std::int64_t>>(v)) {
    out.emplace(name, static_cast<std::size_t>(cap));
  }
}
void from_value(const Value& v, AuthConfig::Mode& out) {
  const auto& name = std::get<std::string>(v);
  out = name == "bearer"  ? AuthConfig::Mode::kBearer
        : name == "basic" ? AuthConfig::Mode::kBasic
                          : AuthConfig::Mode::kNone;
}

// `access` is a generic lambda returning the field of a (const or mutable) Config.
template <typename Access>
KeySpec key(KeySpec spec, Access access) {
  spec.set = [access](Config& config, const Value& value) { from_value(value, access(config)); };
  spec.get = [access](const Config& config) { return to_value(access(config)); };
  return spec;
}

#define OBSERVO_FIELD(expr) \
  [](auto& c) -> auto& { return c.expr; }

std::vector<KeySpec> build_schema() {
  using enum KeyType;
  return {
      key({.path = "server.listen_address",
           .type = kString,
           .description = "Address the HTTP server binds: 0.0.0.0 for every IPv4 interface, :: "
                          "for every IPv6 one, 127.0.0.1 for this host only."},
          OBSERVO_FIELD(server.listen_address)),
      key({.path = "server.port",
           .type = kPort,
           .description = "TCP port of the HTTP server; 0 picks a free port (logged at start).",
           .min = 0,
           .max = 65535},
          OBSERVO_FIELD(server.port)),
      key({.path = "server.threads",
           .type = kInt,
           .description = "Threads serving HTTP requests.",
           .min = 1,
           .max = 64},
          OBSERVO_FIELD(server.threads)),
      key({.path = "server.read_timeout",
           .type = kDuration,
           .description = "Longest time to read one request (headers and body).",
           .min = 1 * kMs,
           .max = 1 * kHour},
          OBSERVO_FIELD(server.read_timeout)),
      key({.path = "server.write_timeout",
           .type = kDuration,
           .description = "Longest time to write one response.",
           .min = 1 * kMs,
           .max = 1 * kHour},
          OBSERVO_FIELD(server.write_timeout)),
      key({.path = "server.idle_timeout",
           .type = kDuration,
           .description = "How long a keep-alive connection may wait for its next request.",
           .min = 1 * kMs,
           .max = 24 * kHour},
          OBSERVO_FIELD(server.idle_timeout)),
      key({.path = "server.shutdown_timeout",
           .type = kDuration,
           .description = "On SIGTERM, how long in-flight requests get to finish before their "
                          "connections are closed.",
           .min = 0,
           .max = 10 * kMinute},
          OBSERVO_FIELD(server.shutdown_timeout)),
      key({.path = "server.max_header_bytes",
           .type = kSize,
           .description = "Largest request header block accepted.",
           .min = 1 * kKiB,
           .max = 1 * kMiB},
          OBSERVO_FIELD(server.max_header_bytes)),
      key({.path = "server.max_body_bytes",
           .type = kSize,
           .description = "Largest request body accepted.",
           .min = 1 * kKiB,
           .max = 1 * kGiB},
          OBSERVO_FIELD(server.max_body_bytes)),
      key({.path = "server.max_connections",
           .type = kInt,
           .description = "Most client connections open at once.",
           .min = 1,
           .max = 65536},
          OBSERVO_FIELD(server.max_connections)),
      key({.path = "server.tls.enabled",
           .type = kBool,
           .description = "Serve HTTPS instead of HTTP. Needs server.tls.cert_file and "
                          "server.tls.key_file."},
          OBSERVO_FIELD(server.tls.enabled)),
      key({.path = "server.tls.cert_file",
           .type = kPath,
           .description = "PEM server certificate, followed by any intermediate certificates."},
          OBSERVO_FIELD(server.tls.cert_file)),
      key({.path = "server.tls.key_file",
           .type = kPath,
           .description = "PEM private key of the server certificate (unencrypted)."},
          OBSERVO_FIELD(server.tls.key_file)),
      key({.path = "server.tls.client_ca_file",
           .type = kPath,
           .description = "PEM CA certificates; when set, clients must present a certificate "
                          "signed by one of them (mutual TLS)."},
          OBSERVO_FIELD(server.tls.client_ca_file)),
      key({.path = "server.auth.mode",
           .type = kEnum,
           .description = "How clients of server.auth.protected_paths authenticate: none, "
                          "bearer (Authorization: Bearer <token>) or basic (user and password).",
           .choices = {"none", "bearer", "basic"}},
          OBSERVO_FIELD(server.auth.mode)),
      key({.path = "server.auth.bearer_tokens_file",
           .type = kPath,
           .description = "File of accepted bearer tokens, one per line; blank lines and lines "
                          "starting with # are ignored.",
           .secret = true},
          OBSERVO_FIELD(server.auth.bearer_tokens_file)),
      key({.path = "server.auth.bearer_tokens_env",
           .type = kString,
           .description = "Name of an environment variable holding accepted bearer tokens, "
                          "comma-separated. Used together with the file when both are set.",
           .secret = true},
          OBSERVO_FIELD(server.auth.bearer_tokens_env)),
      key({.path = "server.auth.basic_username",
           .type = kString,
           .description = "User name accepted in basic mode."},
          OBSERVO_FIELD(server.auth.basic_username)),
      key({.path = "server.auth.basic_password_file",
           .type = kPath,
           .description = "File holding the basic-mode password (trailing newlines are "
                          "dropped). Set this or basic_password_env, not both.",
           .secret = true},
          OBSERVO_FIELD(server.auth.basic_password_file)),
      key({.path = "server.auth.basic_password_env",
           .type = kString,
           .description = "Name of an environment variable holding the basic-mode password.",
           .secret = true},
          OBSERVO_FIELD(server.auth.basic_password_env)),
      key({.path = "server.auth.protected_paths",
           .type = kStringList,
           .description = "URL path prefixes that need authentication; each starts with /. "
                          "Other paths (such as /metrics) stay open."},
          OBSERVO_FIELD(server.auth.protected_paths)),
      key({.path = "server.cors.enabled",
           .type = kBool,
           .description = "Answer CORS preflight requests and add Access-Control-Allow-Origin."},
          OBSERVO_FIELD(server.cors.enabled)),
      key({.path = "server.cors.allowed_origins",
           .type = kStringList,
           .description = "Origins allowed by CORS; \"*\" allows any origin."},
          OBSERVO_FIELD(server.cors.allowed_origins)),
      key({.path = "log.level",
           .type = kEnum,
           .description = "Least severe log level written.",
           .choices = {"trace", "debug", "info", "warn", "error"}},
          OBSERVO_FIELD(log.level)),
      key({.path = "log.format",
           .type = kEnum,
           .description = "Log line format: text for people, json for log collectors.",
           .choices = {"text", "json"}},
          OBSERVO_FIELD(log.format)),
      key({.path = "metrics.max_series_per_family",
           .type = kInt,
           .description = "Most series one metric family may hold; excess series are dropped and "
                          "counted in observo_dropped_series_total.",
           .min = 1,
           .max = kMaxSeries},
          OBSERVO_FIELD(metrics.max_series_per_family)),
      key({.path = "metrics.series_caps",
           .type = kIntMap,
           .description = "Per-family series caps (family name -> cap) that replace "
                          "metrics.max_series_per_family for those families.",
           .min = 1,
           .max = kMaxSeries},
          OBSERVO_FIELD(metrics.series_caps)),
      key({.path = "metrics.process_metrics",
           .type = kBool,
           .description = "Export observo's own process_* metrics (CPU, memory, open files)."},
          OBSERVO_FIELD(metrics.process_metrics)),
      key({.path = "pixie.enabled",
           .type = kBool,
           .description = "Run the Pixie source (Vizier scripts). Later releases add its keys."},
          OBSERVO_FIELD(pixie.enabled)),
      key({.path = "otlp.enabled",
           .type = kBool,
           .description = "Run the OTLP receiver (Beyla, OpenTelemetry SDKs). Later releases add "
                          "its keys."},
          OBSERVO_FIELD(otlp.enabled)),
      key({.path = "netprobe.enabled",
           .type = kBool,
           .description = "Run the eBPF network probe. Later releases add its keys."},
          OBSERVO_FIELD(netprobe.enabled)),
      key({.path = "xray.enabled",
           .type = kBool,
           .description = "Run the AWS X-Ray source. Later releases add its keys."},
          OBSERVO_FIELD(xray.enabled)),
  };
}

#undef OBSERVO_FIELD

}  // namespace

const std::vector<KeySpec>& schema() {
  static const std::vector<KeySpec> kSchema = build_schema();
  return kSchema;
}

std::string_view auth_mode_name(AuthConfig::Mode mode) {
  switch (mode) {
    case AuthConfig::Mode::kNone:
      return "none";
    case AuthConfig::Mode::kBearer:
      return "bearer";
    case AuthConfig::Mode::kBasic:
      return "basic";
  }
  return "none";
}

}  // namespace observo::config

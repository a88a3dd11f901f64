// observo's configuration: plain structs with the defaults a user gets without a file.
//
// Loaded from one YAML file (src/config/), then environment variables OBSERVO_<SECTION>_<KEY>,
// then command-line flags, each overriding the one before. Secrets (tokens, passwords, keys)
// are read from a file path or an environment variable named in the config, never from the
// command line; the loader resolves them into the fields marked "secret" below.
//
// Every field below except the resolved secrets and `source` is one key of the schema
// (observo/config/schema.h): a new field needs a schema entry to be settable. File paths in a
// loaded Config are already resolved (relative paths from the file joined to its folder), so
// users of these structs open them as they are.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace observo::config {

using Duration = std::chrono::milliseconds;

struct TlsServerConfig {
  bool enabled = false;
  std::string cert_file;       // PEM server certificate (chain)
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // when set, clients must present a certificate signed by it

  friend bool operator==(const TlsServerConfig&, const TlsServerConfig&) = default;
};

struct AuthConfig {
  enum class Mode { kNone, kBearer, kBasic };
  Mode mode = Mode::kNone;
  std::string bearer_tokens_file;  // one token per line
  std::string bearer_tokens_env;   // name of a variable holding comma-separated tokens
  std::string basic_username;
  std::string basic_password_file;
  std::string basic_password_env;
  std::vector<std::string> protected_paths = {"/api/v1/"};  // path prefixes

  // Resolved by the loader from the file / env settings above. Secret: never printed.
  std::vector<std::string> bearer_tokens;
  std::string basic_password;

  friend bool operator==(const AuthConfig&, const AuthConfig&) = default;
};

struct CorsConfig {
  bool enabled = false;
  std::vector<std::string> allowed_origins = {"*"};

  friend bool operator==(const CorsConfig&, const CorsConfig&) = default;
};

struct ServerConfig {
  std::string listen_address = "0.0.0.0";
  std::uint16_t port = 8080;  // 0 picks a free port (logged at start)
  int threads = 2;
  Duration read_timeout{10'000};
  Duration write_timeout{10'000};
  Duration idle_timeout{60'000};
  Duration shutdown_timeout{5'000};
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  int max_connections = 256;
  TlsServerConfig tls;
  AuthConfig auth;
  CorsConfig cors;

  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text, json

  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

struct MetricsConfig {
  std::size_t max_series_per_family = 10000;
  std::map<std::string, std::size_t> series_caps;  // family name -> cap
  bool process_metrics = true;

  friend bool operator==(const MetricsConfig&, const MetricsConfig&) = default;
};

// The source sections: each later issue fills in its own keys.

// One Vizier (query broker) observo talks to directly over gRPC. Every field is a key of the
// elements of pixie.clusters; the JWT signing key itself is read by the Pixie source from the
// file or variable named here, so it never sits in a Config that might be printed.
struct PixieClusterConfig {
  std::string id;            // label value cluster_id, --cluster-id
  std::string address;       // host:port of vizier-query-broker-svc (port 50300)
  bool disable_ssl = false;  // plaintext h2c (Vizier with PL_DISABLE_SSL)
  std::string ca_cert;       // PEM CA the server certificate must chain to (else system roots)
  std::string client_cert;   // PEM client certificate for mTLS (with client_key)
  std::string client_key;
  std::string server_name;              // name checked in the server certificate and sent as SNI
  bool skip_verify = false;             // do not verify the server certificate (logs a warning)
  std::string jwt_signing_key_file;     // file holding pl-cluster-secrets/jwt-signing-key
  std::string jwt_signing_key_env;      // or the name of a variable holding it
  std::string jwt_service = "observo";  // sub and ServiceID of the service JWT
  Duration query_timeout{30'000};       // deadline of one ExecuteScript call
  Duration interval{30'000};            // how often observo server runs pixie.scripts

  friend bool operator==(const PixieClusterConfig&, const PixieClusterConfig&) = default;
};

struct PixieConfig {
  bool enabled = false;
  std::vector<PixieClusterConfig> clusters;  // the first is the default
  std::vector<std::string> scripts = {"resource_usage", "http_overview", "network_stats"};
  std::string scripts_dir;          // folder of user .pxl scripts; empty = none
  Duration health_timeout{10'000};  // deadline of one HealthCheck probe
  bool api_enabled = true;          // the /api/v1/{query,export,scripts,health} routes

  friend bool operator==(const PixieConfig&, const PixieConfig&) = default;
};
// Who may send OTLP: nobody checked (none), a static token list (token), or HS256 JWTs (jwt).
// The credentials themselves are read by the source from the files or variables named here.
struct OtlpAuthConfig {
  std::string mode = "none";             // none, token, jwt
  std::string tokens_file;               // token: one accepted token per line
  std::string tokens_env;                // token: variable holding comma-separated tokens
  std::string jwt_key_file;              // jwt: file holding the HS256 key
  std::string jwt_key_env;               // jwt: or a variable holding it
  std::string jwt_audience = "observo";  // jwt: required aud claim; empty: not checked
  std::string jwt_issuer;                // jwt: required iss claim; empty: not checked

  friend bool operator==(const OtlpAuthConfig&, const OtlpAuthConfig&) = default;
};

// One Prometheus page observo scrapes and re-exposes (Beyla's own endpoint, say). Every field is
// a key of the elements of otlp.scrape.
struct OtlpScrapeTarget {
  std::string url;   // http:// or https://host:port/path
  std::string name;  // value of the target label; empty: host:port of the url
  Duration interval{15'000};
  Duration timeout{10'000};
  std::string ca_file;      // PEM CA of an https target; empty: system roots
  std::string client_cert;  // PEM client certificate for mutual TLS (with client_key)
  std::string client_key;
  bool skip_verify = false;       // do not verify the server certificate (logs a warning)
  std::string bearer_token_file;  // sent as Authorization: Bearer
  std::string bearer_token_env;

  friend bool operator==(const OtlpScrapeTarget&, const OtlpScrapeTarget&) = default;
};

struct OtlpConfig {
  bool enabled = false;
  std::string grpc_listen = "0.0.0.0:4317";         // host:port; empty: no gRPC receiver
  std::string http_listen = "0.0.0.0:4318";         // host:port; empty: no HTTP receiver
  std::string grpc_unix_socket;                     // path of an extra gRPC listener; empty: none
  std::string http_unix_socket;                     // path of an extra HTTP listener; empty: none
  std::size_t max_message_bytes = 4 * 1024 * 1024;  // per export request, after gunzip
  int max_inflight_requests = 64;  // concurrent exports; more get 429 / RESOURCE_EXHAUSTED
  TlsServerConfig tls;             // both TCP receivers
  OtlpAuthConfig auth;
  Duration metric_expiration{300'000};           // series not updated this long disappear
  std::vector<std::string> resource_attributes;  // copied onto every series as labels
  bool scope_labels = true;                      // otel_scope_name / otel_scope_version labels
  bool span_metrics = true;                      // RED metrics from SERVER and CONSUMER spans
  bool service_graph = true;                     // caller/callee edges from span pairs
  Duration service_graph_wait{10'000};           // how long half of a client/server pair waits
  std::vector<OtlpScrapeTarget> scrape;

  friend bool operator==(const OtlpConfig&, const OtlpConfig&) = default;
};
struct NetprobeInterfacesConfig {
  // Interface names or shell globs (fnmatch: *, ?, [...]). An interface is probed when it
  // matches an include pattern and no exclude pattern.
  std::vector<std::string> include = {"*"};
  std::vector<std::string> exclude = {"lo"};

  friend bool operator==(const NetprobeInterfacesConfig&,
                         const NetprobeInterfacesConfig&) = default;
};
struct NetprobeConfig {
  bool enabled = false;
  Duration collect_interval{5'000};
  bool active_only = false;          // export only interfaces with traffic in the last interval
  bool by_protocol = false;          // also count per L4 protocol (tcp, udp, icmp, other)
  std::uint16_t tc_priority = 1;     // clsact filter priority (lower runs first)
  std::uint32_t tc_handle = 0x4f42;  // clsact filter handle ("OB")
  NetprobeInterfacesConfig interfaces;

  friend bool operator==(const NetprobeConfig&, const NetprobeConfig&) = default;
};
struct XrayUdpConfig {
  bool enabled = true;  // the X-Ray daemon protocol listener (SDKs send segments here)
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 2000;  // 0 picks a free port (logged at start)

  friend bool operator==(const XrayUdpConfig&, const XrayUdpConfig&) = default;
};
struct XrayApiConfig {
  bool enabled = false;            // poll the X-Ray API (GetTraceSummaries + BatchGetTraces)
  std::string endpoint;            // empty: https://xray.<region>.amazonaws.com
  std::string ca_file;             // PEM CA for the endpoint and STS; empty: system roots
  Duration delay{60'000};          // windows end this long before now (X-Ray indexing lag)
  std::size_t max_traces = 0;      // new traces fetched per window; 0: no limit
  int parallel_workers = 4;        // concurrent BatchGetTraces requests
  int batch_size = 5;              // trace IDs per BatchGetTraces (the API allows 5)
  int retry_attempts = 3;          // retries on throttling, 5xx and transport errors
  Duration retry_base_delay{200};  // first backoff; doubles per attempt, full jitter
  Duration request_timeout{10'000};
  std::string filter_expression;  // passed through to GetTraceSummaries
  bool sampling = false;          // GetTraceSummaries Sampling

  friend bool operator==(const XrayApiConfig&, const XrayApiConfig&) = default;
};
struct XrayConfig {
  bool enabled = false;
  std::string region;         // empty: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region
  std::string profile;        // empty: AWS_PROFILE, then "default"
  std::string sts_endpoint;   // empty: https://sts.<region>.amazonaws.com
  bool imds_enabled = false;  // EC2 instance metadata as the last credential provider
  std::string imds_endpoint = "http://169.254.169.254";
  Duration time_window{60'000};  // window of the per-window gauges (--time-window, minutes)
  std::string data_dir;          // state (counters, processed IDs); empty: kept in memory only
  std::size_t max_trace_ids = 1'000'000;  // processed IDs kept for dedup (oldest evicted)
  int retention_days = 30;                // processed IDs older than this are dropped
  bool clean_trace_ids = false;           // at start, drop IDs older than cleanup_age_hours
  int cleanup_age_hours = 24;
  bool force_full_collection = false;  // ignore (and do not load) the processed IDs
  bool url_templating = false;         // numeric and UUID path segments become {id}
  std::size_t max_urls = 1000;         // distinct url label values; excess -> "other"
  std::size_t max_client_ips = 1000;   // distinct client_ip label values; excess -> "other"
  XrayUdpConfig udp;
  XrayApiConfig api;

  friend bool operator==(const XrayConfig&, const XrayConfig&) = default;
};

struct Config {
  ServerConfig server;
  LogConfig log;
  MetricsConfig metrics;
  PixieConfig pixie;
  OtlpConfig otlp;
  NetprobeConfig netprobe;
  XrayConfig xray;

  std::string source;  // the file it came from, "<embedded default>" when none

  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace observo::config

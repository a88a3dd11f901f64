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
struct PixieConfig {
  bool enabled = false;

  friend bool operator==(const PixieConfig&, const PixieConfig&) = default;
};
struct OtlpConfig {
  bool enabled = false;

  friend bool operator==(const OtlpConfig&, const OtlpConfig&) = default;
};
struct NetprobeConfig {
  bool enabled = false;

  friend bool operator==(const NetprobeConfig&, const NetprobeConfig&) = default;
};
struct XrayConfig {
  bool enabled = false;

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

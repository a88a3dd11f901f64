// The schema table: every configuration key, in the order of config.example.yaml.
#include "observo/config/schema.h"

#include "config/schema_otlp.h"
#include "config/schema_pixie.h"

#include <algorithm>
#include <iterator>

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
Value to_value(std::uint32_t v) { return std::int64_t{v}; }
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
void from_value(const Value& v, std::uint32_t& out) { out = static_cast<std::uint32_t>(as_int(v)); }
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
           .description =
               "Run the Pixie source: scheduled scripts on every cluster of pixie.clusters."},
          OBSERVO_FIELD(pixie.enabled)),
      pixie_clusters_key(),
      key({.path = "pixie.scripts",
           .type = kStringList,
           .description = "Scripts (builtin or from pixie.scripts_dir) that observo server runs "
                          "on every cluster each interval and turns into pixie_* metrics."},
          OBSERVO_FIELD(pixie.scripts)),
      key({.path = "pixie.scripts_dir",
           .type = kPath,
           .description = "Folder of user .pxl scripts (with a small header) listed and run "
                          "like the builtin ones; empty for none."},
          OBSERVO_FIELD(pixie.scripts_dir)),
      key({.path = "pixie.health_timeout",
           .type = kDuration,
           .description = "Deadline of one HealthCheck probe (observo health, "
                          "/api/v1/health).",
           .min = 100 * kMs,
           .max = 10 * kMinute},
          OBSERVO_FIELD(pixie.health_timeout)),
      key({.path = "pixie.api_enabled",
           .type = kBool,
           .description = "Serve the Pixie REST routes (/api/v1/query, /api/v1/export, "
                          "/api/v1/health, /api/v1/scripts, /api/v1/metrics?script=)."},
          OBSERVO_FIELD(pixie.api_enabled)),
      key({.path = "netprobe.enabled",
           .type = kBool,
           .description = "Run the eBPF network probe: per-interface packet and byte counters "
                          "from TC programs on each interface's clsact ingress and egress hooks. "
                          "Needs root, or CAP_BPF and CAP_NET_ADMIN."},
          OBSERVO_FIELD(netprobe.enabled)),
      key({.path = "netprobe.collect_interval",
           .type = kDuration,
           .description = "How often the counters are read and the per-second rates computed.",
           .min = 100 * kMs,
           .max = 1 * kHour},
          OBSERVO_FIELD(netprobe.collect_interval)),
      key({.path = "netprobe.active_only",
           .type = kBool,
           .description = "Export only interfaces that had traffic in the last collect_interval."},
          OBSERVO_FIELD(netprobe.active_only)),
      key({.path = "netprobe.by_protocol",
           .type = kBool,
           .description = "Also count per L4 protocol (tcp, udp, icmp, other) into the "
                          "netprobe_tc_protocol_* families."},
          OBSERVO_FIELD(netprobe.by_protocol)),
      key({.path = "netprobe.tc_priority",
           .type = kInt,
           .description = "Priority of observo's clsact filters; lower runs first. A filter of "
                          "another tool with the same priority must use another handle.",
           .min = 1,
           .max = 65535},
          OBSERVO_FIELD(netprobe.tc_priority)),
      key({.path = "netprobe.tc_handle",
           .type = kInt,
           .description = "Handle of observo's clsact filters (20290 = 0x4f42). With the fixed "
                          "priority it identifies observo's filter, so a restart replaces the "
                          "one a killed observo left behind.",
           .min = 1,
           .max = 4294967295},
          OBSERVO_FIELD(netprobe.tc_handle)),
      key({.path = "netprobe.interfaces.include",
           .type = kStringList,
           .description = "Interfaces to probe: names or shell globs (*, ?, [...]), e.g. "
                          "[\"eth*\", \"ens5\"]. Interfaces that appear later are attached "
                          "when they match."},
          OBSERVO_FIELD(netprobe.interfaces.include)),
      key({.path = "netprobe.interfaces.exclude",
           .type = kStringList,
           .description = "Interfaces never probed, names or globs; wins over include."},
          OBSERVO_FIELD(netprobe.interfaces.exclude)),
      key({.path = "xray.enabled",
           .type = kBool,
           .description = "Run the AWS X-Ray source: segments from X-Ray SDKs over UDP (the X-Ray "
                          "daemon protocol) turned into the xray_* RED metrics."},
          OBSERVO_FIELD(xray.enabled)),
      key({.path = "xray.region",
           .type = kString,
           .description = "AWS region of the X-Ray API; empty: AWS_REGION, AWS_DEFAULT_REGION, "
                          "then the profile's region."},
          OBSERVO_FIELD(xray.region)),
      key({.path = "xray.profile",
           .type = kString,
           .description = "Profile of the shared AWS files; empty: AWS_PROFILE, then default."},
          OBSERVO_FIELD(xray.profile)),
      key({.path = "xray.sts_endpoint",
           .type = kString,
           .description = "STS endpoint for web identity credentials; empty: "
                          "https://sts.<region>.amazonaws.com."},
          OBSERVO_FIELD(xray.sts_endpoint)),
      key({.path = "xray.imds_enabled",
           .type = kBool,
           .description = "Try EC2 instance metadata (IMDSv2) as the last credential provider."},
          OBSERVO_FIELD(xray.imds_enabled)),
      key({.path = "xray.imds_endpoint",
           .type = kString,
           .description = "Instance metadata endpoint used when xray.imds_enabled."},
          OBSERVO_FIELD(xray.imds_endpoint)),
      key({.path = "xray.time_window",
           .type = kDuration,
           .description = "Window of the per-window gauges (latency percentiles, error rate, "
                          "dependency health); --time-window takes minutes.",
           .min = 100 * kMs,
           .max = 24 * kHour},
          OBSERVO_FIELD(xray.time_window)),
      key({.path = "xray.data_dir",
           .type = kPath,
           .description = "Folder of the X-Ray state (counters and processed IDs), written "
                          "atomically at every window; empty keeps it in memory only."},
          OBSERVO_FIELD(xray.data_dir)),
      key({.path = "xray.max_trace_ids",
           .type = kInt,
           .description = "Most processed trace/segment IDs kept for deduplication; the oldest "
                          "are evicted beyond it (about 25 bytes each).",
           .min = 16,
           .max = 100'000'000},
          OBSERVO_FIELD(xray.max_trace_ids)),
      key({.path = "xray.retention_days",
           .type = kInt,
           .description = "Processed IDs older than this many days are dropped.",
           .min = 1,
           .max = 3650},
          OBSERVO_FIELD(xray.retention_days)),
      key({.path = "xray.clean_trace_ids",
           .type = kBool,
           .description = "At start, drop processed IDs older than xray.cleanup_age_hours."},
          OBSERVO_FIELD(xray.clean_trace_ids)),
      key({.path = "xray.cleanup_age_hours",
           .type = kInt,
           .description = "Age limit used by xray.clean_trace_ids.",
           .min = 1,
           .max = 87600},
          OBSERVO_FIELD(xray.cleanup_age_hours)),
      key({.path = "xray.force_full_collection",
           .type = kBool,
           .description = "Ignore the processed IDs saved in xray.data_dir and start with an "
                          "empty set (counters are kept)."},
          OBSERVO_FIELD(xray.force_full_collection)),
      key({.path = "xray.url_templating",
           .type = kBool,
           .description = "Replace numeric and UUID path segments of url label values with "
                          "{id} to bound cardinality (query strings are always stripped)."},
          OBSERVO_FIELD(xray.url_templating)),
      key({.path = "xray.max_urls",
           .type = kInt,
           .description = "Most distinct url label values; later ones are folded into "
                          "url=\"other\" and counted in observo_xray_label_overflow_total.",
           .min = 1,
           .max = 1'000'000},
          OBSERVO_FIELD(xray.max_urls)),
      key({.path = "xray.max_client_ips",
           .type = kInt,
           .description = "Most distinct client_ip label values; later ones are folded into "
                          "client_ip=\"other\" and counted.",
           .min = 1,
           .max = 1'000'000},
          OBSERVO_FIELD(xray.max_client_ips)),
      key({.path = "xray.udp.enabled",
           .type = kBool,
           .description = "Listen for segments over UDP like the X-Ray daemon (header line "
                          "{\"format\":\"json\",\"version\":1}, then the segment)."},
          OBSERVO_FIELD(xray.udp.enabled)),
      key({.path = "xray.udp.listen_address",
           .type = kString,
           .description = "Address of the UDP listener; 127.0.0.1 like the daemon, 0.0.0.0 to "
                          "take segments from other hosts or pods."},
          OBSERVO_FIELD(xray.udp.listen_address)),
      key({.path = "xray.udp.port",
           .type = kPort,
           .description = "Port of the UDP listener (the SDKs' default is 2000); 0 picks a free "
                          "one (logged).",
           .min = 0,
           .max = 65535},
          OBSERVO_FIELD(xray.udp.port)),
      key({.path = "xray.api.enabled",
           .type = kBool,
           .description = "Poll the X-Ray API every time_window: GetTraceSummaries, then "
                          "BatchGetTraces for new traces (billed per trace retrieved)."},
          OBSERVO_FIELD(xray.api.enabled)),
      key({.path = "xray.api.endpoint",
           .type = kString,
           .description = "X-Ray API endpoint (VPC endpoint, tests); empty: "
                          "https://xray.<region>.amazonaws.com."},
          OBSERVO_FIELD(xray.api.endpoint)),
      key({.path = "xray.api.ca_file",
           .type = kPath,
           .description = "PEM CA bundle for the X-Ray and STS endpoints; empty: system roots."},
          OBSERVO_FIELD(xray.api.ca_file)),
      key({.path = "xray.api.delay",
           .type = kDuration,
           .description = "Windows end this long before now, for X-Ray's indexing lag.",
           .min = 0,
           .max = 1 * kHour},
          OBSERVO_FIELD(xray.api.delay)),
      key({.path = "xray.api.max_traces",
           .type = kInt,
           .description = "New traces fetched per window; 0 for no limit.",
           .min = 0,
           .max = 10'000'000},
          OBSERVO_FIELD(xray.api.max_traces)),
      key({.path = "xray.api.parallel_workers",
           .type = kInt,
           .description = "Concurrent BatchGetTraces requests.",
           .min = 1,
           .max = 64},
          OBSERVO_FIELD(xray.api.parallel_workers)),
      key({.path = "xray.api.batch_size",
           .type = kInt,
           .description = "Trace IDs per BatchGetTraces request (the API allows 5).",
           .min = 1,
           .max = 5},
          OBSERVO_FIELD(xray.api.batch_size)),
      key({.path = "xray.api.retry_attempts",
           .type = kInt,
           .description = "Retries of a call on throttling, 5xx and transport errors.",
           .min = 0,
           .max = 10},
          OBSERVO_FIELD(xray.api.retry_attempts)),
      key({.path = "xray.api.retry_base_delay",
           .type = kDuration,
           .description = "First retry backoff; doubles per attempt, with full jitter.",
           .min = 1 * kMs,
           .max = 1 * kMinute},
          OBSERVO_FIELD(xray.api.retry_base_delay)),
      key({.path = "xray.api.request_timeout",
           .type = kDuration,
           .description = "Deadline of one API request (connect timeout: a third of it).",
           .min = 100 * kMs,
           .max = 5 * kMinute},
          OBSERVO_FIELD(xray.api.request_timeout)),
      key({.path = "xray.api.filter_expression",
           .type = kString,
           .description = "X-Ray filter expression passed to GetTraceSummaries; empty for none."},
          OBSERVO_FIELD(xray.api.filter_expression)),
      key({.path = "xray.api.sampling",
           .type = kBool,
           .description = "Ask GetTraceSummaries for a sample (Sampling=true)."},
          OBSERVO_FIELD(xray.api.sampling)),
  };
}

#undef OBSERVO_FIELD

// The otlp section sits between pixie and netprobe, as in config.example.yaml.
std::vector<KeySpec> with_otlp_section(std::vector<KeySpec> keys) {
  auto otlp = otlp_keys();
  const auto at = std::find_if(keys.begin(), keys.end(), [](const KeySpec& spec) {
    return spec.path.starts_with("netprobe.");
  });
  keys.insert(at, std::make_move_iterator(otlp.begin()), std::make_move_iterator(otlp.end()));
  return keys;
}

}  // namespace

const std::vector<KeySpec>& schema() {
  static const std::vector<KeySpec> kSchema = with_otlp_section(build_schema());
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

// The builtin PxL scripts: valid PxL over Pixie's real tables and columns (process_stats,
// network_stats, http_events), each with the metric names users of the earlier Go connector
// expect. Time windows come in as start_time / end_time so that scheduled runs can ask for
// exactly the window since their previous run.
#include "sources/pixie/scripts.h"

namespace observo::pixie {
namespace {

ScriptParam start_time(std::string fallback) {
  return {"start_time", ParamKind::kTime, std::move(fallback), true,
          "Start of the window: relative (-5m, -30s, -1h), absolute Unix nanoseconds, or now"};
}
ScriptParam end_time() {
  return {"end_time", ParamKind::kTime, "now", true, "End of the window (default now)"};
}
ScriptParam namespace_param() {
  return {"namespace", ParamKind::kName, "", false, "Only this Kubernetes namespace (optional)"};
}

constexpr const char* kResourceUsage = R"PXL(import px

df = px.DataFrame(table='process_stats', start_time={{start_time}}, end_time={{end_time}})
df.namespace = df.ctx['namespace']
df.pod = df.ctx['pod']
{{?namespace}}df = df[df.namespace == {{namespace}}]
df = df[df.pod != '']
df = df.groupby(['upid', 'namespace', 'pod']).agg(
    utime_max=('cpu_utime_ns', px.max),
    utime_min=('cpu_utime_ns', px.min),
    ktime_max=('cpu_ktime_ns', px.max),
    ktime_min=('cpu_ktime_ns', px.min),
    time_max=('time_', px.max),
    time_min=('time_', px.min),
    rss=('rss_bytes', px.mean),
    vsize=('vsize_bytes', px.mean),
)
df.cpu_ns = df.utime_max - df.utime_min + df.ktime_max - df.ktime_min
df.window_ns = df.time_max - df.time_min
df = df.groupby(['namespace', 'pod']).agg(
    cpu_ns=('cpu_ns', px.sum),
    window_ns=('window_ns', px.max),
    memory_rss_bytes=('rss', px.sum),
    memory_vsize_bytes=('vsize', px.sum),
)
df.cpu_usage = px.select(df.window_ns > 0, df.cpu_ns / df.window_ns, 0.0)
df.memory_usage = px.select(df.memory_vsize_bytes > 0,
                            df.memory_rss_bytes / df.memory_vsize_bytes, 0.0)
df = df[['namespace', 'pod', 'cpu_usage', 'memory_usage', 'memory_rss_bytes',
         'memory_vsize_bytes']]
px.display(df, 'resource_usage')
)PXL";

constexpr const char* kHttpOverview = R"PXL(import px

df = px.DataFrame(table='http_events', start_time={{start_time}}, end_time={{end_time}})
df = df[df.trace_role == 2]
df.namespace = df.ctx['namespace']
df.service = df.ctx['service']
{{?namespace}}df = df[df.namespace == {{namespace}}]
df = df[df.service != '']
df.failure = px.select(df.resp_status >= 400, 1, 0)
df = df.groupby(['namespace', 'service']).agg(
    requests=('latency', px.count),
    errors=('failure', px.sum),
    latency_mean=('latency', px.mean),
    latency_quantiles=('latency', px.quantiles),
)
df.latency_avg_ms = df.latency_mean / 1000000.0
df.latency_p50_ms = px.pluck_float64(df.latency_quantiles, 'p50') / 1000000.0
df.latency_p90_ms = px.pluck_float64(df.latency_quantiles, 'p90') / 1000000.0
df.latency_p99_ms = px.pluck_float64(df.latency_quantiles, 'p99') / 1000000.0
df = df[['namespace', 'service', 'requests', 'errors', 'latency_avg_ms', 'latency_p50_ms',
         'latency_p90_ms', 'latency_p99_ms']]
px.display(df, 'http_overview')
)PXL";

constexpr const char* kNetworkStats = R"PXL(import px

df = px.DataFrame(table='network_stats', start_time={{start_time}}, end_time={{end_time}})
df.namespace = df.ctx['namespace']
df.pod = df.ctx['pod']
{{?namespace}}df = df[df.namespace == {{namespace}}]
df = df[df.pod != '']
df = df.groupby(['pod_id', 'namespace', 'pod']).agg(
    rx_bytes_max=('rx_bytes', px.max),
    rx_bytes_min=('rx_bytes', px.min),
    tx_bytes_max=('tx_bytes', px.max),
    tx_bytes_min=('tx_bytes', px.min),
    rx_packets_max=('rx_packets', px.max),
    rx_packets_min=('rx_packets', px.min),
    tx_packets_max=('tx_packets', px.max),
    tx_packets_min=('tx_packets', px.min),
)
df.bytes_received = df.rx_bytes_max - df.rx_bytes_min
df.bytes_sent = df.tx_bytes_max - df.tx_bytes_min
df.packets_received = df.rx_packets_max - df.rx_packets_min
df.packets_sent = df.tx_packets_max - df.tx_packets_min
df = df.groupby(['namespace', 'pod']).agg(
    bytes_sent=('bytes_sent', px.sum),
    bytes_received=('bytes_received', px.sum),
    packets_sent=('packets_sent', px.sum),
    packets_received=('packets_received', px.sum),
)
px.display(df, 'network_stats')
)PXL";

constexpr const char* kPodOverview = R"PXL(import px

proc = px.DataFrame(table='process_stats', start_time={{start_time}}, end_time={{end_time}})
proc.pod = proc.ctx['pod']
proc.container = proc.ctx['container']
proc = proc[proc.pod == {{pod_name}}]
proc = proc.groupby(['pod', 'container']).agg(
    memory_rss_bytes=('rss_bytes', px.mean),
    memory_vsize_bytes=('vsize_bytes', px.mean),
    threads=('num_threads', px.mean),
)
px.display(proc, 'containers')

net = px.DataFrame(table='network_stats', start_time={{start_time}}, end_time={{end_time}})
net.pod = net.ctx['pod']
net = net[net.pod == {{pod_name}}]
net = net[['time_', 'pod', 'rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'rx_errors',
           'tx_errors']]
net = net.head(10)
px.display(net, 'network')
)PXL";

constexpr const char* kErrorAnalysis = R"PXL(import px

df = px.DataFrame(table='http_events', start_time={{start_time}}, end_time={{end_time}})
df = df[df.trace_role == 2]
df = df[df.resp_status >= 400]
df.namespace = df.ctx['namespace']
df.service = df.ctx['service']
{{?namespace}}df = df[df.namespace == {{namespace}}]
df.latency_ms = df.latency / 1000000.0

summary = df.groupby(['namespace', 'service', 'resp_status']).agg(
    errors=('latency', px.count),
    latency_avg_ms=('latency_ms', px.mean),
)
px.display(summary, 'errors')

latest = df[['time_', 'namespace', 'service', 'req_method', 'req_path', 'resp_status',
             'latency_ms']]
latest = latest.head(20)
px.display(latest, 'latest_errors')
)PXL";

constexpr const char* kServiceLatency = R"PXL(import px

df = px.DataFrame(table='http_events', start_time={{start_time}}, end_time={{end_time}})
df = df[df.trace_role == 2]
df.namespace = df.ctx['namespace']
df.service = df.ctx['service']
{{?namespace}}df = df[df.namespace == {{namespace}}]
df = df[df.service != '']
df = df.groupby(['namespace', 'service']).agg(
    requests=('latency', px.count),
    latency_quantiles=('latency', px.quantiles),
)
df.latency_p50_ms = px.pluck_float64(df.latency_quantiles, 'p50') / 1000000.0
df.latency_p90_ms = px.pluck_float64(df.latency_quantiles, 'p90') / 1000000.0
df.latency_p99_ms = px.pluck_float64(df.latency_quantiles, 'p99') / 1000000.0
df = df[['namespace', 'service', 'requests', 'latency_p50_ms', 'latency_p90_ms',
         'latency_p99_ms']]
px.display(df, 'service_latency')
)PXL";

std::vector<Script> build() {
  std::vector<Script> out;
  out.push_back(
      {.name = "resource_usage",
       .category = "Infrastructure",
       .description = "CPU and memory per pod (process_stats): CPU as cores used over the "
                      "window, resident and virtual memory.",
       .params = {start_time("-5m"), end_time(), namespace_param()},
       .pxl = kResourceUsage,
       .columns = {{"namespace", "Kubernetes namespace"},
                   {"pod", "namespace/pod"},
                   {"cpu_usage", "CPU time / window (1.0 = one core)"},
                   {"memory_usage", "resident / virtual memory"},
                   {"memory_rss_bytes", "mean resident memory, bytes"},
                   {"memory_vsize_bytes", "mean virtual memory, bytes"}},
       .metrics = {{"cpu_usage", "pixie_pod_cpu_usage_ratio", false,
                    "CPU time used by the pod over the window, in cores (1 = one core).", 1, ""},
                   {"memory_usage", "pixie_pod_memory_usage_ratio", false,
                    "Resident over virtual memory of the pod.", 1, ""},
                   {"memory_rss_bytes", "pixie_pod_memory_rss_bytes", false,
                    "Mean resident memory of the pod.", 1, ""}},
       .windowed = true});
  out.push_back(
      {.name = "http_overview",
       .category = "Application",
       .description = "HTTP requests, errors (status >= 400) and latency per service, from the "
                      "server side of http_events.",
       .params = {start_time("-5m"), end_time(), namespace_param()},
       .pxl = kHttpOverview,
       .columns = {{"namespace", "Kubernetes namespace"},
                   {"service", "namespace/service"},
                   {"requests", "requests in the window"},
                   {"errors", "responses with status >= 400"},
                   {"latency_avg_ms", "mean latency, ms"},
                   {"latency_p50_ms", "median latency, ms"},
                   {"latency_p90_ms", "90th percentile latency, ms"},
                   {"latency_p99_ms", "99th percentile latency, ms"}},
       .metrics =
           {{"requests", "pixie_http_requests_total", true, "HTTP requests served.", 1, ""},
            {"errors", "pixie_http_errors_total", true, "HTTP responses with status >= 400.", 1,
             ""},
            {"latency_avg_ms", "pixie_http_request_duration_milliseconds", false,
             "Mean HTTP request latency over the last window, in milliseconds.", 1, ""},
            {"latency_p50_ms", "pixie_http_request_duration_milliseconds_quantile", false,
             "HTTP request latency quantiles over the last window, in milliseconds.", 1, "0.5"},
            {"latency_p90_ms", "pixie_http_request_duration_milliseconds_quantile", false,
             "HTTP request latency quantiles over the last window, in milliseconds.", 1, "0.9"},
            {"latency_p99_ms", "pixie_http_request_duration_milliseconds_quantile", false,
             "HTTP request latency quantiles over the last window, in milliseconds.", 1, "0.99"}},
       .windowed = true});
  out.push_back({.name = "network_stats",
                 .category = "Network",
                 .description =
                     "Bytes and packets sent and received per pod (network_stats counters, "
                     "increase over the window).",
                 .params = {start_time("-5m"), end_time(), namespace_param()},
                 .pxl = kNetworkStats,
                 .columns = {{"namespace", "Kubernetes namespace"},
                             {"pod", "namespace/pod"},
                             {"bytes_sent", "bytes transmitted"},
                             {"bytes_received", "bytes received"},
                             {"packets_sent", "packets transmitted"},
                             {"packets_received", "packets received"}},
                 .metrics = {{"bytes_sent", "pixie_network_bytes_sent_total", true,
                              "Bytes sent by the pod.", 1, ""},
                             {"bytes_received", "pixie_network_bytes_received_total", true,
                              "Bytes received by the pod.", 1, ""},
                             {"packets_sent", "pixie_network_packets_sent_total", true,
                              "Packets sent by the pod.", 1, ""},
                             {"packets_received", "pixie_network_packets_received_total", true,
                              "Packets received by the pod.", 1, ""}},
                 .windowed = true});
  out.push_back(
      {.name = "pod_overview",
       .category = "Infrastructure",
       .description = "One pod: memory and threads per container, and its latest network "
                      "counters (two tables).",
       .params = {start_time("-5m"),
                  end_time(),
                  {"pod_name", ParamKind::kName, "", true, "The pod, as namespace/pod"}},
       .pxl = kPodOverview,
       .columns = {{"containers: pod, container, memory_rss_bytes, memory_vsize_bytes, threads",
                    ""},
                   {"network: time_, pod, rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, "
                    "tx_errors",
                    ""}},
       .metrics = {},
       .windowed = true});
  out.push_back(
      {.name = "error_analysis",
       .category = "Application",
       .description = "HTTP errors (status >= 400) per service and status, and the 20 latest "
                      "errors (two tables).",
       .params = {start_time("-10m"), end_time(), namespace_param()},
       .pxl = kErrorAnalysis,
       .columns = {{"errors: namespace, service, resp_status, errors, latency_avg_ms", ""},
                   {"latest_errors: time_, namespace, service, req_method, req_path, "
                    "resp_status, latency_ms",
                    ""}},
       .metrics = {{"errors", "pixie_errors_by_type_total", true,
                    "HTTP errors by service and status.", 1, ""}},
       .labels = {"namespace", "service", "resp_status"},
       .windowed = true});
  out.push_back({.name = "service_latency",
                 .category = "Application",
                 .description = "Latency percentiles p50, p90 and p99 per service (server side).",
                 .params = {start_time("-5m"), end_time(), namespace_param()},
                 .pxl = kServiceLatency,
                 .columns = {{"namespace", "Kubernetes namespace"},
                             {"service", "namespace/service"},
                             {"requests", "requests in the window"},
                             {"latency_p50_ms", "median latency, ms"},
                             {"latency_p90_ms", "90th percentile latency, ms"},
                             {"latency_p99_ms", "99th percentile latency, ms"}},
                 .metrics = {},
                 .windowed = true});
  return out;
}

}  // namespace

const std::vector<Script>& builtin_scripts() {
  static const std::vector<Script> kScripts = build();
  return kScripts;
}

}  // namespace observo::pixie

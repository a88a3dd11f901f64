// OTLP to Prometheus names, one row per rule of the translation (ref sheet section 4) and one
// per Beyla metric of the ref sheet's section 2 table.
#include "sources/beyla/naming.h"

#include <gtest/gtest.h>

#include <string>

namespace observo::beyla {
namespace {

struct NameRow {
  const char* name;
  const char* unit;
  MetricKind kind;
  const char* expected;
};

constexpr MetricKind kHist = MetricKind::kHistogram;
constexpr MetricKind kCounter = MetricKind::kMonotonicSum;
constexpr MetricKind kUpDown = MetricKind::kNonMonotonicSum;
constexpr MetricKind kGauge = MetricKind::kGauge;

class OtlpNamingMetric : public testing::TestWithParam<NameRow> {};

TEST_P(OtlpNamingMetric, Translates) {
  const NameRow& row = GetParam();
  EXPECT_EQ(prometheus_metric_name(row.name, row.unit, row.kind), row.expected)
      << row.name << " [" << row.unit << "]";
}

// Beyla's names (ref sheet section 2), old and new.
INSTANTIATE_TEST_SUITE_P(
    OtlpNamingBeyla, OtlpNamingMetric,
    testing::Values(
        NameRow{"http.server.request.duration", "s", kHist, "http_server_request_duration_seconds"},
        NameRow{"http.server.request.body.size", "By", kHist,
                "http_server_request_body_size_bytes"},
        NameRow{"http.server.response.body.size", "By", kHist,
                "http_server_response_body_size_bytes"},
        NameRow{"http.client.request.duration", "s", kHist, "http_client_request_duration_seconds"},
        NameRow{"http.client.request.body.size", "By", kHist,
                "http_client_request_body_size_bytes"},
        NameRow{"http.client.response.body.size", "By", kHist,
                "http_client_response_body_size_bytes"},
        NameRow{"http.server.duration", "s", kHist, "http_server_duration_seconds"},
        NameRow{"rpc.server.call.duration", "s", kHist, "rpc_server_call_duration_seconds"},
        NameRow{"rpc.client.call.duration", "s", kHist, "rpc_client_call_duration_seconds"},
        NameRow{"rpc.server.duration", "s", kHist, "rpc_server_duration_seconds"},
        NameRow{"rpc.client.duration", "s", kHist, "rpc_client_duration_seconds"},
        NameRow{"db.client.operation.duration", "s", kHist, "db_client_operation_duration_seconds"},
        NameRow{"db.server.operation.duration", "s", kHist, "db_server_operation_duration_seconds"},
        NameRow{"messaging.client.operation.duration", "s", kHist,
                "messaging_client_operation_duration_seconds"},
        NameRow{"messaging.publish.duration", "s", kHist, "messaging_publish_duration_seconds"},
        NameRow{"messaging.process.duration", "s", kHist, "messaging_process_duration_seconds"},
        NameRow{"beyla.network.flow.bytes", "{bytes}", kCounter, "beyla_network_flow_bytes_total"},
        NameRow{"obi.network.flow.bytes", "{bytes}", kCounter, "obi_network_flow_bytes_total"},
        NameRow{"beyla.network.flow.packets", "{packets}", kCounter,
                "beyla_network_flow_packets_total"},
        NameRow{"beyla.network.inter.zone.bytes", "{bytes}", kCounter,
                "beyla_network_inter_zone_bytes_total"},
        NameRow{"beyla.stat.tcp.rtt", "s", kHist, "beyla_stat_tcp_rtt_seconds"},
        NameRow{"beyla.stat.tcp.failed.connections", "{connection}", kCounter,
                "beyla_stat_tcp_failed_connections_total"},
        NameRow{"beyla.stat.tcp.retransmits", "{segment}", kCounter,
                "beyla_stat_tcp_retransmits_total"},
        NameRow{"beyla.stat.tcp.io", "By", kCounter, "beyla_stat_tcp_io_bytes_total"},
        NameRow{"process.cpu.time", "s", kCounter, "process_cpu_time_seconds_total"},
        NameRow{"process.cpu.utilization", "1", kGauge, "process_cpu_utilization_ratio"},
        NameRow{"process.memory.usage", "By", kUpDown, "process_memory_usage_bytes"},
        NameRow{"process.memory.virtual", "By", kUpDown, "process_memory_virtual_bytes"},
        NameRow{"process.disk.io", "By", kCounter, "process_disk_io_bytes_total"},
        NameRow{"process.network.io", "By", kCounter, "process_network_io_bytes_total"},
        NameRow{"traces.span.metrics.duration", "s", kHist, "traces_span_metrics_duration_seconds"},
        NameRow{"traces.span.metrics.calls", "{call}", kCounter, "traces_span_metrics_calls_total"},
        NameRow{"traces_service_graph_request_client", "s", kHist,
                "traces_service_graph_request_client_seconds"},
        NameRow{"traces_service_graph_request_server", "s", kHist,
                "traces_service_graph_request_server_seconds"},
        NameRow{"traces_service_graph_request_total", "", kCounter,
                "traces_service_graph_request_total"},
        NameRow{"traces_service_graph_request_failed_total", "", kCounter,
                "traces_service_graph_request_failed_total"},
        NameRow{"dns.lookup.duration", "s", kHist, "dns_lookup_duration_seconds"},
        NameRow{"gen_ai.client.token.usage", "{token}", kHist, "gen_ai_client_token_usage"},
        NameRow{"target.info", "", kUpDown, "target_info"}));

// The rules, one row each.
INSTANTIATE_TEST_SUITE_P(
    OtlpNamingRules, OtlpNamingMetric,
    testing::Values(
        // 1. split on characters outside [A-Za-z0-9:], join with _, collapse runs
        NameRow{"a.b-c/d e", "", kGauge, "a_b_c_d_e"}, NameRow{"a..b__c", "", kGauge, "a_b_c"},
        NameRow{".lead.trail.", "", kGauge, "lead_trail"},
        NameRow{"ns:metric.name", "", kGauge, "ns:metric_name"},
        NameRow{"caf\xc3\xa9.count", "", kGauge, "caf_count"},
        // 2. unit words, appended unless a word of the name equals it
        NameRow{"t", "ms", kGauge, "t_milliseconds"}, NameRow{"t", "us", kGauge, "t_microseconds"},
        NameRow{"t", "ns", kGauge, "t_nanoseconds"}, NameRow{"t", "min", kGauge, "t_minutes"},
        NameRow{"t", "h", kGauge, "t_hours"}, NameRow{"t", "d", kGauge, "t_days"},
        NameRow{"m", "KiBy", kGauge, "m_kibibytes"}, NameRow{"m", "MiBy", kGauge, "m_mebibytes"},
        NameRow{"m", "GiBy", kGauge, "m_gibibytes"}, NameRow{"m", "TiBy", kGauge, "m_tibibytes"},
        NameRow{"m", "KBy", kGauge, "m_kilobytes"}, NameRow{"m", "MBy", kGauge, "m_megabytes"},
        NameRow{"m", "GBy", kGauge, "m_gigabytes"}, NameRow{"m", "TBy", kGauge, "m_terabytes"},
        NameRow{"x", "m", kGauge, "x_meters"}, NameRow{"x", "V", kGauge, "x_volts"},
        NameRow{"x", "A", kGauge, "x_amperes"}, NameRow{"x", "J", kGauge, "x_joules"},
        NameRow{"x", "W", kGauge, "x_watts"}, NameRow{"x", "g", kGauge, "x_grams"},
        NameRow{"x", "Cel", kGauge, "x_celsius"}, NameRow{"x", "Hz", kGauge, "x_hertz"},
        NameRow{"x", "%", kGauge, "x_percent"}, NameRow{"x", " s ", kGauge, "x_seconds"},
        NameRow{"request.duration.seconds", "s", kHist, "request_duration_seconds"},
        NameRow{"seconds.spent", "s", kGauge, "seconds_spent"},
        NameRow{"secondsx", "s", kGauge, "secondsx_seconds"},
        // unknown units: the sanitized unit text
        NameRow{"x", "requests", kGauge, "x_requests"},
        NameRow{"x", "foo.bar", kGauge, "x_foo_bar"},
        // 3. units in braces name nothing
        NameRow{"x", "{packets}", kGauge, "x"}, NameRow{"x", "{packets}/s", kGauge, "x_per_second"},
        // 4. a/b -> a_per_b with singular per-units
        NameRow{"x", "By/s", kGauge, "x_bytes_per_second"},
        NameRow{"x", "1/s", kGauge, "x_per_second"},
        NameRow{"x", "m/m", kGauge, "x_meters_per_minute"},
        NameRow{"x", "{req}/h", kGauge, "x_per_hour"}, NameRow{"x", "{req}/d", kGauge, "x_per_day"},
        NameRow{"x", "{req}/w", kGauge, "x_per_week"},
        NameRow{"x", "{req}/mo", kGauge, "x_per_month"},
        NameRow{"x", "{req}/y", kGauge, "x_per_year"},
        NameRow{"x", "{req}/min", kGauge, "x_per_min"}, NameRow{"x", "By/", kGauge, "x_bytes"},
        // 5. monotonic sums end in _total, moved to the end when earlier
        NameRow{"requests", "", kCounter, "requests_total"},
        NameRow{"requests.total", "", kCounter, "requests_total"},
        NameRow{"total.requests", "", kCounter, "requests_total"},
        NameRow{"cpu.time.total", "s", kCounter, "cpu_time_seconds_total"},
        NameRow{"total.requests", "", kUpDown, "total_requests"},
        // 6. unit 1: _ratio on gauges only
        NameRow{"cpu.usage", "1", kGauge, "cpu_usage_ratio"},
        NameRow{"ratio.cpu", "1", kGauge, "cpu_ratio"}, NameRow{"items", "1", kUpDown, "items"},
        NameRow{"items", "1", kCounter, "items_total"}, NameRow{"items", "1", kHist, "items"},
        NameRow{"items", "1", MetricKind::kSummary, "items"},
        // 7. a leading digit gets _
        NameRow{"2xx.responses", "", kGauge, "_2xx_responses"},
        NameRow{"5.x", "s", kHist, "_5_x_seconds"},
        // nothing valid left
        NameRow{"...", "", kGauge, ""}, NameRow{"", "", kGauge, ""}));

struct LabelRow {
  const char* key;
  const char* expected;
};

class OtlpNamingLabel : public testing::TestWithParam<LabelRow> {};

TEST_P(OtlpNamingLabel, Translates) {
  EXPECT_EQ(prometheus_label_name(GetParam().key), GetParam().expected) << GetParam().key;
}

INSTANTIATE_TEST_SUITE_P(
    OtlpNamingRules, OtlpNamingLabel,
    testing::Values(LabelRow{"http.response.status_code", "http_response_status_code"},
                    LabelRow{"service.name", "service_name"},
                    LabelRow{"k8s.pod.name", "k8s_pod_name"}, LabelRow{"a-b/c d", "a_b_c_d"},
                    LabelRow{"a..b__c", "a_b_c"}, LabelRow{"2xx", "key_2xx"},
                    LabelRow{"_private", "key_private"}, LabelRow{".hidden", "key_hidden"},
                    LabelRow{"__name__", "key_name_"}, LabelRow{"caf\xc3\xa9", "caf_"},
                    LabelRow{"...", "key_"}, LabelRow{"", ""}, LabelRow{"le", "le"},
                    LabelRow{"UPPER.case", "UPPER_case"}));

TEST(OtlpNamingUnit, Words) {
  EXPECT_EQ(prometheus_unit("s"), "seconds");
  EXPECT_EQ(prometheus_unit("By/s"), "bytes_per_second");
  EXPECT_EQ(prometheus_unit("{packets}/s"), "per_second");
  EXPECT_EQ(prometheus_unit("1"), "");
  EXPECT_EQ(prometheus_unit("{bytes}"), "");
  EXPECT_EQ(prometheus_unit("%"), "percent");
  EXPECT_EQ(prometheus_unit("km.h"), "km_h");
}

}  // namespace
}  // namespace observo::beyla

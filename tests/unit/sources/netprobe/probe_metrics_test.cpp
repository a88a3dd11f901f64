// The Snapshot netprobe publishes: NetProbe's family names and labels, exact values, the
// protocol families, active_only, and the self-metrics.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sources/netprobe/probe_metrics.h"

namespace observo::netprobe {
namespace {

const metrics::Family* find(const metrics::Snapshot& snapshot, const std::string& name) {
  const auto it = std::find_if(snapshot.families.begin(), snapshot.families.end(),
                               [&name](const auto& f) { return f.name == name; });
  return it == snapshot.families.end() ? nullptr : &*it;
}

std::string label(const metrics::Series& series, const std::string& name) {
  for (const auto& l : series.labels) {
    if (l.name == name) return l.value;
  }
  return "<none>";
}

InterfaceSample sample(std::uint32_t ifindex, std::string name, bool active) {
  InterfaceSample s;
  s.ifindex = ifindex;
  s.name = std::move(name);
  s.totals[NETPROBE_DIR_INGRESS] = {7, 2394};
  s.totals[NETPROBE_DIR_EGRESS] = {25, 3550};
  s.protocols[NETPROBE_DIR_INGRESS][NETPROBE_PROTO_UDP] = {7, 2394};
  s.protocols[NETPROBE_DIR_EGRESS][NETPROBE_PROTO_UDP] = {25, 3550};
  s.rates[NETPROBE_DIR_INGRESS] = Rates{35, 11970};
  s.rates[NETPROBE_DIR_EGRESS] = Rates{125, 17750};
  s.active = active;
  return s;
}

TEST(NetprobeMetrics, NetProbeFamiliesWithExactValuesAndLabels) {
  ProbeStats stats;
  stats.up = true;
  stats.collections = 12;
  stats.last_collection = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  stats.attached_interfaces = 1;
  const auto snapshot = build_snapshot({sample(2, "veth0", true)}, stats, {});

  const auto* packets = find(snapshot, "netprobe_tc_packets_total");
  ASSERT_NE(packets, nullptr);
  EXPECT_EQ(packets->type, metrics::MetricType::kCounter);
  ASSERT_EQ(packets->series.size(), 2u);
  EXPECT_EQ(label(packets->series[0], "interface"), "veth0");
  EXPECT_EQ(label(packets->series[0], "ifindex"), "2");
  EXPECT_EQ(label(packets->series[0], "direction"), "ingress");
  EXPECT_EQ(packets->series[0].value, 7);
  EXPECT_EQ(label(packets->series[1], "direction"), "egress");
  EXPECT_EQ(packets->series[1].value, 25);
  EXPECT_EQ(packets->series[0].labels, metrics::make_labels(packets->series[0].labels));

  EXPECT_EQ(find(snapshot, "netprobe_tc_bytes_total")->series[1].value, 3550);
  EXPECT_EQ(find(snapshot, "netprobe_tc_packets_per_second")->series[1].value, 125);
  EXPECT_EQ(find(snapshot, "netprobe_tc_bytes_per_second")->series[0].value, 11970);
  EXPECT_EQ(find(snapshot, "netprobe_tc_bytes_per_second")->type, metrics::MetricType::kGauge);

  const auto* active = find(snapshot, "netprobe_interface_active");
  ASSERT_EQ(active->series.size(), 1u);
  EXPECT_EQ(active->series[0].value, 1);
  EXPECT_EQ(active->series[0].labels.size(), 2u);

  EXPECT_EQ(find(snapshot, "netprobe_up")->series[0].value, 1);
  EXPECT_EQ(find(snapshot, "netprobe_collection_total")->series[0].value, 12);
  EXPECT_EQ(find(snapshot, "netprobe_last_collection_timestamp_seconds")->series[0].value,
            1700000000.0);
  EXPECT_EQ(find(snapshot, "netprobe_attached_interfaces")->series[0].value, 1);
  EXPECT_EQ(find(snapshot, "netprobe_attach_errors_total")->series.size(), 5u);
  EXPECT_EQ(find(snapshot, "netprobe_tc_protocol_packets_total"), nullptr);

  for (const auto& family : snapshot.families) {
    EXPECT_TRUE(metrics::is_valid_metric_name(family.name)) << family.name;
    if (family.type == metrics::MetricType::kCounter) {
      EXPECT_TRUE(family.name.ends_with("_total")) << family.name;
    }
  }
}

TEST(NetprobeMetrics, NoRateSeriesBeforeTheSecondSample) {
  auto s = sample(2, "eth0", false);
  s.rates = {};
  const auto snapshot = build_snapshot({s}, {}, {});
  EXPECT_TRUE(find(snapshot, "netprobe_tc_packets_per_second")->series.empty());
  EXPECT_EQ(find(snapshot, "netprobe_tc_packets_total")->series.size(), 2u);
  EXPECT_EQ(find(snapshot, "netprobe_last_collection_timestamp_seconds"), nullptr);
}

TEST(NetprobeMetrics, ActiveOnlyDropsIdleInterfaces) {
  const auto snapshot = build_snapshot({sample(2, "eth0", true), sample(3, "eth1", false)}, {},
                                       {.active_only = true, .by_protocol = false});
  const auto* packets = find(snapshot, "netprobe_tc_packets_total");
  ASSERT_EQ(packets->series.size(), 2u);
  EXPECT_EQ(label(packets->series[0], "interface"), "eth0");
  EXPECT_EQ(label(packets->series[1], "interface"), "eth0");
  EXPECT_EQ(find(snapshot, "netprobe_interface_active")->series.size(), 1u);

  const auto all = build_snapshot({sample(2, "eth0", true), sample(3, "eth1", false)}, {}, {});
  EXPECT_EQ(find(all, "netprobe_interface_active")->series[1].value, 0);
}

TEST(NetprobeMetrics, ProtocolFamiliesHaveOneSeriesPerProtocol) {
  const auto snapshot =
      build_snapshot({sample(2, "eth0", true)}, {}, {.active_only = false, .by_protocol = true});
  const auto* packets = find(snapshot, "netprobe_tc_protocol_packets_total");
  ASSERT_NE(packets, nullptr);
  ASSERT_EQ(packets->series.size(), 8u);  // 2 directions x tcp, udp, icmp, other
  EXPECT_EQ(label(packets->series[0], "protocol"), "tcp");
  EXPECT_EQ(label(packets->series[1], "protocol"), "udp");
  EXPECT_EQ(packets->series[1].value, 7);
  EXPECT_EQ(label(packets->series[5], "direction"), "egress");
  EXPECT_EQ(packets->series[5].value, 25);
  EXPECT_EQ(label(packets->series[3], "protocol"), "other");
  ASSERT_NE(find(snapshot, "netprobe_tc_protocol_bytes_total"), nullptr);
}

TEST(NetprobeMetrics, DegradedSnapshotSaysDown) {
  ProbeStats stats;
  stats.attach_errors[AttachErrorReason::kConflict] = 3;
  const auto snapshot = build_snapshot({}, stats, {});
  EXPECT_EQ(find(snapshot, "netprobe_up")->series[0].value, 0);
  EXPECT_TRUE(find(snapshot, "netprobe_tc_packets_total")->series.empty());
  const auto* errors = find(snapshot, "netprobe_attach_errors_total");
  bool seen = false;
  for (const auto& s : errors->series) {
    if (label(s, "reason") == "conflict") {
      EXPECT_EQ(s.value, 3);
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace observo::netprobe

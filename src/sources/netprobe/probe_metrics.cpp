#include "sources/netprobe/probe_metrics.h"

#include <string>

namespace observo::netprobe {
namespace {

using metrics::Family;
using metrics::Label;
using metrics::Labels;
using metrics::MetricType;
using metrics::Series;

Series series(Labels labels, double value) {
  Series s;
  s.labels = std::move(labels);
  s.value = value;
  return s;
}

Labels interface_labels(const InterfaceSample& sample) {
  return {{"ifindex", std::to_string(sample.ifindex)}, {"interface", sample.name}};
}

Labels direction_labels(const InterfaceSample& sample, int dir) {
  return {{"direction", std::string(direction_label(dir))},
          {"ifindex", std::to_string(sample.ifindex)},
          {"interface", sample.name}};
}

Labels protocol_labels(const InterfaceSample& sample, int dir, int proto) {
  return {{"direction", std::string(direction_label(dir))},
          {"ifindex", std::to_string(sample.ifindex)},
          {"interface", sample.name},
          {"protocol", std::string(protocol_label(proto))}};
}

Family family(std::string name, std::string help, MetricType type) {
  return Family{std::move(name), std::move(help), type, {}};
}

double as_double(std::uint64_t v) { return static_cast<double>(v); }

}  // namespace

std::string_view reason_label(AttachErrorReason reason) {
  switch (reason) {
    case AttachErrorReason::kPermission:
      return "permission";
    case AttachErrorReason::kInterfaceGone:
      return "interface_gone";
    case AttachErrorReason::kConflict:
      return "conflict";
    case AttachErrorReason::kRejected:
      return "rejected";
    case AttachErrorReason::kOther:
      return "other";
  }
  return "other";
}

std::string_view direction_label(int direction) {
  return direction == NETPROBE_DIR_EGRESS ? "egress" : "ingress";
}

std::string_view protocol_label(int protocol) {
  switch (protocol) {
    case NETPROBE_PROTO_TCP:
      return "tcp";
    case NETPROBE_PROTO_UDP:
      return "udp";
    case NETPROBE_PROTO_ICMP:
      return "icmp";
    default:
      return "other";
  }
}

metrics::Snapshot build_snapshot(const std::vector<InterfaceSample>& samples,
                                 const ProbeStats& stats, const SnapshotOptions& options) {
  auto packets = family("netprobe_tc_packets_total",
                        "Packets seen by observo's TC programs (GSO/GRO super-packets count as "
                        "their segments), by interface and direction.",
                        MetricType::kCounter);
  auto bytes = family("netprobe_tc_bytes_total",
                      "Bytes seen by observo's TC programs (skb->len: L2 header included, FCS "
                      "excluded), by interface and direction.",
                      MetricType::kCounter);
  auto pps = family("netprobe_tc_packets_per_second",
                    "Packets per second over the last collection interval.", MetricType::kGauge);
  auto bps = family("netprobe_tc_bytes_per_second",
                    "Bytes per second over the last collection interval.", MetricType::kGauge);
  auto active = family("netprobe_interface_active",
                       "1 when the interface had traffic in the last collection interval, else 0.",
                       MetricType::kGauge);
  auto proto_packets = family("netprobe_tc_protocol_packets_total",
                              "Packets seen by observo's TC programs, by interface, direction "
                              "and L4 protocol (tcp, udp, icmp, other).",
                              MetricType::kCounter);
  auto proto_bytes = family("netprobe_tc_protocol_bytes_total",
                            "Bytes seen by observo's TC programs, by interface, direction and "
                            "L4 protocol (tcp, udp, icmp, other).",
                            MetricType::kCounter);

  for (const auto& sample : samples) {
    if (options.active_only && !sample.active) continue;
    active.series.push_back(series(interface_labels(sample), sample.active ? 1 : 0));
    for (int dir = 0; dir < NETPROBE_DIR_COUNT; ++dir) {
      packets.series.push_back(
          series(direction_labels(sample, dir), as_double(sample.totals[dir].packets)));
      bytes.series.push_back(
          series(direction_labels(sample, dir), as_double(sample.totals[dir].bytes)));
      if (const auto& rates = sample.rates[dir]) {
        pps.series.push_back(series(direction_labels(sample, dir), rates->packets_per_second));
        bps.series.push_back(series(direction_labels(sample, dir), rates->bytes_per_second));
      }
      if (!options.by_protocol) continue;
      for (int proto = NETPROBE_PROTO_TCP; proto <= NETPROBE_PROTO_OTHER; ++proto) {
        const auto& counts = sample.protocols[dir][proto];
        proto_packets.series.push_back(
            series(protocol_labels(sample, dir, proto), as_double(counts.packets)));
        proto_bytes.series.push_back(
            series(protocol_labels(sample, dir, proto), as_double(counts.bytes)));
      }
    }
  }

  metrics::Snapshot snapshot;
  auto& out = snapshot.families;
  out.push_back(std::move(packets));
  out.push_back(std::move(bytes));
  out.push_back(std::move(pps));
  out.push_back(std::move(bps));
  out.push_back(std::move(active));
  if (options.by_protocol) {
    out.push_back(std::move(proto_packets));
    out.push_back(std::move(proto_bytes));
  }

  auto up = family("netprobe_up",
                   "1 while netprobe's eBPF programs are loaded and collecting, 0 when the host "
                   "does not allow them (see the log for the cause).",
                   MetricType::kGauge);
  up.series.push_back(series({}, stats.up ? 1 : 0));
  out.push_back(std::move(up));

  auto collections = family("netprobe_collection_total", "Collection passes (map reads) completed.",
                            MetricType::kCounter);
  collections.series.push_back(series({}, as_double(stats.collections)));
  out.push_back(std::move(collections));

  if (stats.last_collection) {
    auto last = family("netprobe_last_collection_timestamp_seconds",
                       "Unix time of the last completed collection pass.", MetricType::kGauge);
    const std::chrono::duration<double> since_epoch = stats.last_collection->time_since_epoch();
    last.series.push_back(series({}, since_epoch.count()));
    out.push_back(std::move(last));

    auto duration =
        family("netprobe_collection_duration_seconds",
               "Duration of the last collection pass (map read, sums, rates).", MetricType::kGauge);
    duration.series.push_back(series({}, stats.last_collection_seconds));
    out.push_back(std::move(duration));
  }

  auto attached =
      family("netprobe_attached_interfaces",
             "Interfaces with observo's TC filters on both clsact hooks.", MetricType::kGauge);
  attached.series.push_back(series({}, as_double(stats.attached_interfaces)));
  out.push_back(std::move(attached));

  auto errors = family("netprobe_attach_errors_total",
                       "Failed attaches to an interface, by reason (permission, interface_gone, "
                       "conflict, rejected, other).",
                       MetricType::kCounter);
  for (const auto reason : kAllAttachErrorReasons) {
    const auto found = stats.attach_errors.find(reason);
    const double value = found == stats.attach_errors.end() ? 0 : as_double(found->second);
    errors.series.push_back(series({{"reason", std::string(reason_label(reason))}}, value));
  }
  out.push_back(std::move(errors));

  auto collection_errors =
      family("netprobe_collection_errors_total",
             "Collection passes that could not read the counters map.", MetricType::kCounter);
  collection_errors.series.push_back(series({}, as_double(stats.collection_errors)));
  out.push_back(std::move(collection_errors));

  auto entries =
      family("netprobe_map_entries",
             "Keys in the per-CPU counters map at the last collection pass.", MetricType::kGauge);
  entries.series.push_back(series({}, as_double(stats.map_entries)));
  out.push_back(std::move(entries));

  return snapshot;
}

}  // namespace observo::netprobe

// The metrics netprobe publishes, as one Snapshot per collection pass.
//
// Names and labels are those of the earlier NetProbe exporter, so its dashboards and alerts
// keep working: netprobe_tc_{packets,bytes}_total, netprobe_tc_{packets,bytes}_per_second
// {interface, ifindex, direction}, netprobe_interface_active{interface, ifindex}, netprobe_up,
// netprobe_collection_total, netprobe_last_collection_timestamp_seconds. The protocol breakdown
// and the self-metrics are observo's additions (docs/netprobe.md lists them all).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "observo/metrics/snapshot.h"
#include "sources/netprobe/counters.h"

namespace observo::netprobe {

// Why an attach failed, as the `reason` label of netprobe_attach_errors_total.
enum class AttachErrorReason { kPermission, kInterfaceGone, kConflict, kRejected, kOther };
inline constexpr AttachErrorReason kAllAttachErrorReasons[] = {
    AttachErrorReason::kPermission, AttachErrorReason::kInterfaceGone, AttachErrorReason::kConflict,
    AttachErrorReason::kRejected, AttachErrorReason::kOther};
std::string_view reason_label(AttachErrorReason reason);

// The source's own state, for netprobe_up and the self-metrics.
struct ProbeStats {
  bool up = false;
  std::uint64_t collections = 0;
  std::optional<std::chrono::system_clock::time_point> last_collection;
  double last_collection_seconds = 0;  // duration of the last pass
  std::size_t attached_interfaces = 0;
  std::size_t map_entries = 0;
  std::map<AttachErrorReason, std::uint64_t> attach_errors;
  std::uint64_t collection_errors = 0;
};

struct SnapshotOptions {
  bool active_only = false;
  bool by_protocol = false;
};

std::string_view direction_label(int direction);  // "ingress", "egress"
std::string_view protocol_label(int protocol);    // "tcp", "udp", "icmp", "other"

metrics::Snapshot build_snapshot(const std::vector<InterfaceSample>& samples,
                                 const ProbeStats& stats, const SnapshotOptions& options);

}  // namespace observo::netprobe

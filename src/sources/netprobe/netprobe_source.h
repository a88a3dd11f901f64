// The netprobe source: per-interface traffic counters from eBPF TC programs, published to the
// Hub under the key "netprobe" and reported on the SourceBoard as "netprobe".
//
// One thread runs the Probe: it loads the programs (or explains, once, why this host does not
// allow them and retries quietly every minute), attaches to the matching interfaces, follows
// link events, and every collect_interval reads the counters and publishes one Snapshot.
// Nothing the kernel or netlink returns stops the daemon: the worst case is netprobe_up 0.
#pragma once

#include <memory>

#include "observo/config/config.h"
#include "observo/metrics/hub.h"
#include "observo/source.h"

namespace observo::netprobe {

std::unique_ptr<Source> make_netprobe_source(const config::NetprobeConfig& config,
                                             metrics::Hub& hub, SourceBoard& board);

}  // namespace observo::netprobe

// Counter arithmetic of a collection pass, free of any kernel call so it is unit-tested alone:
// summing per-CPU slots, increases between two readings (with counter restarts and u64
// wrap-around), per-second rates and the active flag.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netprobe_abi.h"

namespace observo::netprobe {

using Clock = std::chrono::steady_clock;

struct Counts {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  friend bool operator==(const Counts&, const Counts&) = default;
};

Counts& operator+=(Counts& a, const Counts& b);

// One map entry, its per-CPU slots already summed.
struct Reading {
  netprobe_key key{};
  Counts counts;
};

// Sums the per-CPU slots of one PERCPU_HASH value (one slot per possible CPU). u64 addition
// wraps like the kernel's own counters.
Counts sum_per_cpu(std::span<const netprobe_value> slots);

// How much a counter grew from `previous` to `current`.
//  - current >= previous: the difference.
//  - current < previous by more than 2^63: the u64 counter wrapped; the modular difference.
//  - otherwise the counter restarted (its map key was recreated, observo restarted): the whole
//    current value, which is what Prometheus' rate() assumes after a reset.
std::uint64_t counter_increase(std::uint64_t previous, std::uint64_t current);

struct Rates {
  double packets_per_second = 0;
  double bytes_per_second = 0;
};

// The rate of one (interface, direction) from consecutive readings.
class RateTracker {
 public:
  struct Update {
    Counts increase;             // since the previous reading (first reading: everything)
    std::optional<Rates> rates;  // none on the first reading
    bool reset = false;          // the counter went backwards (restart)
  };

  Update update(Counts current, Clock::time_point now);

 private:
  std::optional<Counts> last_;
  Clock::time_point last_time_{};
};

// What one collection pass knows about one interface.
struct InterfaceSample {
  std::uint32_t ifindex = 0;
  std::string name;
  std::array<Counts, NETPROBE_DIR_COUNT> totals{};  // indexed by NETPROBE_DIR_*
  std::array<std::optional<Rates>, NETPROBE_DIR_COUNT> rates{};
  // Indexed by direction, then NETPROBE_PROTO_* (only TCP..OTHER are filled, with by_protocol).
  std::array<std::array<Counts, NETPROBE_PROTO_COUNT>, NETPROBE_DIR_COUNT> protocols{};
  bool active = false;  // any packet in the last interval (first pass: any packet since attach)
};

struct InterfaceRef {
  std::uint32_t ifindex = 0;
  std::string name;
};

// Turns map readings into per-interface samples, keeping the previous totals for rates.
// Interfaces are passed in each time: readings of other ifindexes are ignored (their keys are
// stale), and interfaces without readings count as zero.
class TrafficTable {
 public:
  std::vector<InterfaceSample> update(const std::vector<Reading>& readings,
                                      const std::vector<InterfaceRef>& interfaces,
                                      Clock::time_point now);
  // Drops the history of an interface that went away or was detached.
  void forget(std::uint32_t ifindex);
  std::size_t tracked() const { return trackers_.size(); }

 private:
  std::map<std::uint32_t, std::array<RateTracker, NETPROBE_DIR_COUNT>> trackers_;
};

}  // namespace observo::netprobe

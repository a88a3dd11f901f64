#include "sources/netprobe/counters.h"

#include <unordered_map>

namespace observo::netprobe {

static_assert(sizeof(netprobe_key) == 8, "netprobe_key must match bpf/netprobe_abi.h");
static_assert(sizeof(netprobe_value) == 16, "netprobe_value must match bpf/netprobe_abi.h");

Counts& operator+=(Counts& a, const Counts& b) {
  a.packets += b.packets;
  a.bytes += b.bytes;
  return a;
}

Counts sum_per_cpu(std::span<const netprobe_value> slots) {
  Counts sum;
  for (const auto& slot : slots) {
    sum.packets += slot.packets;
    sum.bytes += slot.bytes;
  }
  return sum;
}

std::uint64_t counter_increase(std::uint64_t previous, std::uint64_t current) {
  if (current >= previous) return current - previous;
  constexpr std::uint64_t kHalf = std::uint64_t{1} << 63;
  if (previous - current > kHalf) return current - previous;  // wrapped: modular difference
  return current;                                             // restarted from zero
}

RateTracker::Update RateTracker::update(Counts current, Clock::time_point now) {
  Update update;
  if (!last_) {
    update.increase = current;
  } else {
    update.reset = current.packets < last_->packets || current.bytes < last_->bytes;
    update.increase = {counter_increase(last_->packets, current.packets),
                       counter_increase(last_->bytes, current.bytes)};
    const std::chrono::duration<double> elapsed = now - last_time_;
    if (elapsed.count() > 0) {
      update.rates = Rates{static_cast<double>(update.increase.packets) / elapsed.count(),
                           static_cast<double>(update.increase.bytes) / elapsed.count()};
    }
  }
  last_ = current;
  last_time_ = now;
  return update;
}

std::vector<InterfaceSample> TrafficTable::update(const std::vector<Reading>& readings,
                                                  const std::vector<InterfaceRef>& interfaces,
                                                  Clock::time_point now) {
  std::unordered_map<std::uint32_t, std::size_t> position;
  std::vector<InterfaceSample> samples(interfaces.size());
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    samples[i].ifindex = interfaces[i].ifindex;
    samples[i].name = interfaces[i].name;
    position.emplace(interfaces[i].ifindex, i);
  }
  for (const auto& reading : readings) {
    const auto found = position.find(reading.key.ifindex);
    if (found == position.end()) continue;
    if (reading.key.direction >= NETPROBE_DIR_COUNT) continue;
    if (reading.key.protocol >= NETPROBE_PROTO_COUNT) continue;
    auto& sample = samples[found->second];
    sample.totals[reading.key.direction] += reading.counts;
    sample.protocols[reading.key.direction][reading.key.protocol] += reading.counts;
  }
  for (auto& sample : samples) {
    auto& trackers = trackers_[sample.ifindex];
    for (int dir = 0; dir < NETPROBE_DIR_COUNT; ++dir) {
      const auto update = trackers[dir].update(sample.totals[dir], now);
      sample.rates[dir] = update.rates;
      if (update.increase.packets > 0) sample.active = true;
    }
  }
  return samples;
}

void TrafficTable::forget(std::uint32_t ifindex) { trackers_.erase(ifindex); }

}  // namespace observo::netprobe

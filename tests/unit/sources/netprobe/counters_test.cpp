// Collection arithmetic: per-CPU sums, counter increases across restarts and wrap-around,
// rates from injected clock readings, per-interface totals and the active flag.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <vector>

#include "sources/netprobe/counters.h"

namespace observo::netprobe {
namespace {

using std::chrono::milliseconds;
constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();

Clock::time_point at(int ms) { return Clock::time_point(milliseconds(ms)); }

Reading reading(std::uint32_t ifindex, int dir, int proto, std::uint64_t packets,
                std::uint64_t bytes) {
  return {{ifindex, static_cast<__u8>(dir), static_cast<__u8>(proto), 0}, {packets, bytes}};
}

TEST(NetprobeCounters, SumsEveryPerCpuSlot) {
  const std::vector<netprobe_value> slots = {{1, 100}, {0, 0}, {5, 700}, {2, 60}};
  EXPECT_EQ(sum_per_cpu(slots), (Counts{8, 860}));
  EXPECT_EQ(sum_per_cpu({}), (Counts{0, 0}));
}

TEST(NetprobeCounters, PerCpuSumWrapsLikeTheKernel) {
  const std::vector<netprobe_value> slots = {{kMax, kMax}, {2, 3}};
  EXPECT_EQ(sum_per_cpu(slots), (Counts{1, 2}));
}

TEST(NetprobeCounters, IncreaseOfAGrowingCounter) {
  EXPECT_EQ(counter_increase(0, 0), 0u);
  EXPECT_EQ(counter_increase(10, 25), 15u);
  EXPECT_EQ(counter_increase(kMax - 1, kMax), 1u);
}

TEST(NetprobeCounters, ResetCountsTheWholeNewValue) {
  // The key was recreated (or observo restarted): as Prometheus' rate() assumes after a reset.
  EXPECT_EQ(counter_increase(1000, 0), 0u);
  EXPECT_EQ(counter_increase(1000, 40), 40u);
  EXPECT_EQ(counter_increase(std::uint64_t{1} << 40, 7), 7u);
}

TEST(NetprobeCounters, WrapAroundIsTheModularDifference) {
  EXPECT_EQ(counter_increase(kMax - 4, 5), 10u);  // 4 to the max, 1 to 0, 5 more
  EXPECT_EQ(counter_increase(kMax, 0), 1u);
}

TEST(NetprobeRateTracker, NoRateOnTheFirstSample) {
  RateTracker tracker;
  const auto first = tracker.update({10, 1000}, at(0));
  EXPECT_FALSE(first.rates.has_value());
  EXPECT_EQ(first.increase, (Counts{10, 1000}));
  EXPECT_FALSE(first.reset);
}

TEST(NetprobeRateTracker, RatesAreDeltasOverElapsedSeconds) {
  RateTracker tracker;
  tracker.update({10, 1000}, at(0));
  const auto second = tracker.update({20, 3000}, at(200));
  ASSERT_TRUE(second.rates.has_value());
  EXPECT_DOUBLE_EQ(second.rates->packets_per_second, 50.0);  // 10 packets / 0.2 s
  EXPECT_DOUBLE_EQ(second.rates->bytes_per_second, 10000.0);
  const auto third = tracker.update({20, 3000}, at(5200));
  ASSERT_TRUE(third.rates.has_value());
  EXPECT_DOUBLE_EQ(third.rates->packets_per_second, 0.0);
  EXPECT_EQ(third.increase, (Counts{0, 0}));
}

TEST(NetprobeRateTracker, ResetGivesTheNewValueOverTheInterval) {
  RateTracker tracker;
  tracker.update({500, 50000}, at(0));
  const auto after = tracker.update({4, 400}, at(1000));
  EXPECT_TRUE(after.reset);
  EXPECT_EQ(after.increase, (Counts{4, 400}));
  ASSERT_TRUE(after.rates.has_value());
  EXPECT_DOUBLE_EQ(after.rates->packets_per_second, 4.0);
  EXPECT_DOUBLE_EQ(after.rates->bytes_per_second, 400.0);
}

TEST(NetprobeRateTracker, NoRateWithoutElapsedTime) {
  RateTracker tracker;
  tracker.update({1, 1}, at(100));
  EXPECT_FALSE(tracker.update({2, 2}, at(100)).rates.has_value());
}

TEST(NetprobeTrafficTable, SumsProtocolsIntoDirectionTotals) {
  TrafficTable table;
  const std::vector<InterfaceRef> interfaces = {{2, "eth0"}};
  const std::vector<Reading> readings = {
      reading(2, NETPROBE_DIR_INGRESS, NETPROBE_PROTO_TCP, 3, 300),
      reading(2, NETPROBE_DIR_INGRESS, NETPROBE_PROTO_UDP, 2, 120),
      reading(2, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ICMP, 1, 98),
      reading(2, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_OTHER, 4, 168),
  };
  const auto samples = table.update(readings, interfaces, at(0));
  ASSERT_EQ(samples.size(), 1u);
  const auto& s = samples[0];
  EXPECT_EQ(s.name, "eth0");
  EXPECT_EQ(s.totals[NETPROBE_DIR_INGRESS], (Counts{5, 420}));
  EXPECT_EQ(s.totals[NETPROBE_DIR_EGRESS], (Counts{5, 266}));
  EXPECT_EQ(s.protocols[NETPROBE_DIR_INGRESS][NETPROBE_PROTO_UDP], (Counts{2, 120}));
  EXPECT_EQ(s.protocols[NETPROBE_DIR_EGRESS][NETPROBE_PROTO_OTHER], (Counts{4, 168}));
  EXPECT_TRUE(s.active);
  EXPECT_FALSE(s.rates[0].has_value());
}

TEST(NetprobeTrafficTable, ActiveOnlyWhenPacketsArrivedInTheInterval) {
  TrafficTable table;
  const std::vector<InterfaceRef> interfaces = {{2, "eth0"}, {3, "eth1"}};
  auto samples =
      table.update({reading(2, 0, 0, 0, 0), reading(3, 1, 0, 7, 700)}, interfaces, at(0));
  EXPECT_FALSE(samples[0].active);
  EXPECT_TRUE(samples[1].active);
  samples = table.update({reading(2, 0, 0, 1, 60), reading(3, 1, 0, 7, 700)}, interfaces, at(1000));
  EXPECT_TRUE(samples[0].active);
  EXPECT_FALSE(samples[1].active);
  ASSERT_TRUE(samples[0].rates[NETPROBE_DIR_INGRESS].has_value());
  EXPECT_DOUBLE_EQ(samples[0].rates[NETPROBE_DIR_INGRESS]->bytes_per_second, 60.0);
  EXPECT_DOUBLE_EQ(samples[1].rates[NETPROBE_DIR_EGRESS]->packets_per_second, 0.0);
}

TEST(NetprobeTrafficTable, IgnoresStaleKeysAndZeroFillsMissingOnes) {
  TrafficTable table;
  const auto samples =
      table.update({reading(9, 0, 0, 100, 100), reading(2, 5, 0, 1, 1), reading(2, 0, 9, 1, 1)},
                   {{2, "eth0"}}, at(0));
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].totals[0], (Counts{0, 0}));
  EXPECT_EQ(samples[0].totals[1], (Counts{0, 0}));
  EXPECT_FALSE(samples[0].active);
}

TEST(NetprobeTrafficTable, ForgetStartsAnInterfaceAfresh) {
  TrafficTable table;
  table.update({reading(2, 0, 0, 10, 10)}, {{2, "eth0"}}, at(0));
  EXPECT_EQ(table.tracked(), 1u);
  table.forget(2);
  EXPECT_EQ(table.tracked(), 0u);
  const auto samples = table.update({reading(2, 0, 0, 3, 3)}, {{2, "eth0b"}}, at(1000));
  EXPECT_FALSE(samples[0].rates[0].has_value());  // first sample again: no rate
  EXPECT_EQ(samples[0].name, "eth0b");
}

}  // namespace
}  // namespace observo::netprobe

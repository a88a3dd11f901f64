// netprobe's costs, measured with the kernel's own runner (needs root):
//
//  - per packet: the TC programs under BPF_PROG_TEST_RUN on a 142-byte UDP frame, side by side
//    with an empty TC program ("return TC_ACT_UNSPEC", the floor: what any cls_bpf program costs
//    the test runner) in the same process and the same iterations. The figure that matters is
//    netprobe minus floor (target: at most 15 ns). The kernel reports the average ns per run
//    (bpf_test_run_opts.duration); time spent in need_resched() is excluded.
//  - per collection pass: reading the per-CPU map with N interfaces' keys present, summing the
//    CPU slots, computing rates and building the Snapshot (what the source does every
//    collect_interval), for 1000 and 10000 interfaces.
#include <benchmark/benchmark.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sources/netprobe/bpf_programs.h"
#include "sources/netprobe/counters.h"
#include "sources/netprobe/probe_metrics.h"

namespace {

using observo::netprobe::BpfPrograms;
using observo::netprobe::Clock;
using observo::netprobe::InterfaceRef;
using observo::netprobe::TrafficTable;

constexpr std::uint32_t kRepeat = 200'000;
constexpr std::uint32_t kLoopback = 1;  // BPF_PROG_TEST_RUN runs on loopback by default

// Ethernet + IPv4 + UDP + 100 bytes of payload.
std::vector<std::uint8_t> udp_frame() {
  std::vector<std::uint8_t> f(142, 0);
  f[12] = 0x08;  // ETH_P_IP
  f[14] = 0x45;
  f[16] = 0;
  f[17] = 128;  // total length 128
  f[22] = 64;
  f[23] = 17;  // UDP
  return f;
}

int empty_tc_program() {
  static const int fd = [] {
    const bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, -1},  // r0 = TC_ACT_UNSPEC
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "empty_tc", "GPL", insns, 2, nullptr);
  }();
  return fd;
}

// `fallback`: another ifindex holds lo's fast-path slot, so lo counts in the hash map.
BpfPrograms* programs(bool by_protocol, bool fallback) {
  static std::unique_ptr<BpfPrograms> loaded[4];
  auto& slot = loaded[(by_protocol ? 1 : 0) + (fallback ? 2 : 0)];
  if (!slot) {
    auto result = BpfPrograms::load({.by_protocol = by_protocol});
    if (!result) return nullptr;
    slot = std::move(*result);
    if (fallback) (void)slot->create_keys(kLoopback + NETPROBE_FAST_SLOTS, 14);
    (void)slot->create_keys(kLoopback, /*l2_len=*/14);  // lo has an Ethernet header
  }
  return slot.get();
}

// Average ns per run of `repeat` runs, or a negative errno.
double run_ns(int fd, const std::vector<std::uint8_t>& frame) {
  std::vector<std::uint8_t> out(frame.size() + 256);
  bpf_test_run_opts opts{};
  opts.sz = sizeof opts;
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<__u32>(out.size());
  opts.repeat = kRepeat;
  const int err = bpf_prog_test_run_opts(fd, &opts);
  return err != 0 ? err : static_cast<double>(opts.duration);
}

// One iteration = kRepeat runs of the empty program and kRepeat runs of netprobe's, so the
// floor and the program see the same machine state. Manual time = netprobe's runs.
void per_packet(benchmark::State& state, bool by_protocol, bool fallback = false) {
  const auto* probe = programs(by_protocol, fallback);
  const int empty = empty_tc_program();
  if (probe == nullptr || empty < 0) {
    state.SkipWithError("needs root (CAP_BPF, CAP_NET_ADMIN) to load TC programs");
    return;
  }
  const auto frame = udp_frame();
  double floor_total = 0;
  double netprobe_total = 0;
  for (auto _ : state) {
    const double floor = run_ns(empty, frame);
    const double netprobe = run_ns(probe->ingress().fd, frame);
    if (floor < 0 || netprobe < 0) {
      state.SkipWithError("BPF_PROG_TEST_RUN failed");
      return;
    }
    floor_total += floor;
    netprobe_total += netprobe;
    state.SetIterationTime(netprobe * kRepeat * 1e-9);
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["floor_ns"] = floor_total / n;
  state.counters["netprobe_ns"] = netprobe_total / n;
  state.counters["over_floor_ns"] = (netprobe_total - floor_total) / n;
  state.SetItemsProcessed(state.iterations() * kRepeat);
}

void BM_TcPerPacket(benchmark::State& state) { per_packet(state, false); }
void BM_TcPerPacketByProtocol(benchmark::State& state) { per_packet(state, true); }
void BM_TcPerPacketHashFallback(benchmark::State& state) { per_packet(state, false, true); }
void BM_TcPerPacketByProtocolHashFallback(benchmark::State& state) {
  per_packet(state, true, true);
}
BENCHMARK(BM_TcPerPacket)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_TcPerPacketByProtocol)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_TcPerPacketHashFallback)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_TcPerPacketByProtocolHashFallback)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// One collection pass with state.range(0) interfaces (2 counters each, 8 with by_protocol): the
// first 1024 on the fast-path array, the rest in the fallback hash map.
void collection_pass(benchmark::State& state, bool by_protocol) {
  auto loaded = BpfPrograms::load({.by_protocol = by_protocol});
  if (!loaded) {
    state.SkipWithError("needs root (CAP_BPF, CAP_NET_ADMIN) to load TC programs");
    return;
  }
  auto& programs = **loaded;
  const auto interfaces = static_cast<std::uint32_t>(state.range(0));
  const auto cpus = static_cast<std::size_t>(programs.possible_cpus());
  std::vector<InterfaceRef> refs;
  std::size_t fast = 0;
  for (std::uint32_t i = 0; i < interfaces; ++i) {
    const std::uint32_t ifindex = 100 + i;
    refs.push_back({ifindex, "veth" + std::to_string(ifindex)});
    if (!programs.create_keys(ifindex)) {
      state.SkipWithError("cannot fill the counters maps");
      return;
    }
    if (programs.owns_slot(ifindex)) ++fast;
  }
  TrafficTable table;
  observo::netprobe::ProbeStats stats;
  const observo::netprobe::SnapshotOptions options{false, by_protocol};
  std::size_t entries = 0;
  std::size_t series = 0;
  for (auto _ : state) {
    auto readings = programs.read_counters();
    if (!readings) {
      state.SkipWithError(readings.error().message().c_str());
      return;
    }
    entries = readings->size();
    const auto samples = table.update(*readings, refs, Clock::now());
    auto snapshot = observo::netprobe::build_snapshot(samples, stats, options);
    series = 0;
    for (const auto& family : snapshot.families) series += family.series.size();
    benchmark::DoNotOptimize(snapshot);
  }
  state.counters["map_entries"] = static_cast<double>(entries);
  state.counters["series"] = static_cast<double>(series);
  state.counters["cpus"] = static_cast<double>(cpus);
  state.counters["fast_path_interfaces"] = static_cast<double>(fast);
}

void BM_CollectionPass(benchmark::State& state) { collection_pass(state, false); }
void BM_CollectionPassByProtocol(benchmark::State& state) { collection_pass(state, true); }
BENCHMARK(BM_CollectionPass)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CollectionPassByProtocol)->Arg(1000)->Unit(benchmark::kMillisecond);

// The kernel part alone: batch lookups and per-CPU sums, no rates or snapshot.
void BM_MapRead(benchmark::State& state) {
  auto loaded = BpfPrograms::load({});
  if (!loaded) {
    state.SkipWithError("needs root (CAP_BPF, CAP_NET_ADMIN) to load TC programs");
    return;
  }
  for (std::uint32_t i = 0; i < static_cast<std::uint32_t>(state.range(0)); ++i) {
    (void)(*loaded)->create_keys(100 + i);
  }
  for (auto _ : state) {
    auto readings = (*loaded)->read_counters();
    benchmark::DoNotOptimize(readings);
  }
}
BENCHMARK(BM_MapRead)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// The TC programs themselves, run by the kernel with BPF_PROG_TEST_RUN (no attach needed):
// exact packet and byte counts per direction, the L4 protocol classification, GSO segments,
// and the "no verdict" return value that lets the next filter run.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "bpf_test_support.h"
#include "sources/netprobe/bpf_programs.h"

namespace observo::netprobe {
namespace {

using bpftest::arp_frame;
using bpftest::icmp4_frame;
using bpftest::icmp6_frame;
using bpftest::tcp4_frame;
using bpftest::udp4_frame;
using bpftest::udp6_frame;

constexpr std::uint32_t kLoopback = 1;  // test runs happen on the namespace's loopback
constexpr int kTcActUnspec = -1;

struct RunResult {
  int err = 0;
  std::uint32_t retval = 0;
};

RunResult run(int prog_fd, const std::vector<std::uint8_t>& frame, std::uint32_t repeat,
              std::optional<std::uint32_t> gso_segs = std::nullopt) {
  std::vector<std::uint8_t> out(frame.size() + 256);
  __sk_buff ctx{};
  bpf_test_run_opts opts{};
  opts.sz = sizeof opts;
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<__u32>(out.size());
  opts.repeat = repeat;
  if (gso_segs) {
    ctx.gso_segs = *gso_segs;
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof ctx;
  }
  const int err = bpf_prog_test_run_opts(prog_fd, &opts);
  return {err, opts.retval};
}

std::optional<Counts> counts_of(BpfPrograms& programs, std::uint32_t ifindex, int dir, int proto) {
  auto readings = programs.read_counters();
  EXPECT_TRUE(readings.ok()) << readings.error().message();
  if (!readings) return std::nullopt;
  for (const auto& r : *readings) {
    if (r.key.ifindex == ifindex && r.key.direction == dir && r.key.protocol == proto) {
      return r.counts;
    }
  }
  return std::nullopt;
}

std::unique_ptr<BpfPrograms> load(bool by_protocol) {
  auto programs = BpfPrograms::load({.by_protocol = by_protocol});
  EXPECT_TRUE(programs.ok()) << programs.error().message();
  return programs ? std::move(*programs) : nullptr;
}

TEST(NetprobeBpf, LoadsWithNamesFromTheAbiHeader) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(false);
  ASSERT_NE(programs, nullptr);
  EXPECT_EQ(programs->ingress().name, NETPROBE_PROG_INGRESS);
  EXPECT_EQ(programs->egress().name, NETPROBE_PROG_EGRESS);
  EXPECT_GT(programs->ingress().id, 0u);
  EXPECT_NE(programs->ingress().id, programs->egress().id);
  EXPECT_GE(programs->possible_cpus(), 1);
}

TEST(NetprobeBpf, CountsExactPacketsAndBytesPerDirection) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(false);
  ASSERT_NE(programs, nullptr);
  ASSERT_TRUE(programs->create_keys(kLoopback).ok());

  const auto frame = udp4_frame(100);  // 14 + 20 + 8 + 100 = 142 bytes, L2 header included
  ASSERT_EQ(frame.size(), 142u);
  auto ingress = run(programs->ingress().fd, frame, 1000);
  ASSERT_EQ(ingress.err, 0);
  EXPECT_EQ(static_cast<int>(ingress.retval), kTcActUnspec);
  auto egress = run(programs->egress().fd, udp4_frame(300), 7);
  ASSERT_EQ(egress.err, 0);
  EXPECT_EQ(static_cast<int>(egress.retval), kTcActUnspec);

  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_INGRESS, NETPROBE_PROTO_ALL),
            (Counts{1000, 142000}));
  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL),
            (Counts{7, 7 * 342}));
}

TEST(NetprobeBpf, InsertsAMissingKeyItself) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(false);
  ASSERT_NE(programs, nullptr);
  // No create_keys(): the rare path where the program must insert the key.
  ASSERT_EQ(run(programs->ingress().fd, arp_frame(), 3).err, 0);
  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_INGRESS, NETPROBE_PROTO_ALL),
            (Counts{3, 3 * 42}));
  programs->delete_keys(kLoopback);
  EXPECT_FALSE(counts_of(*programs, kLoopback, NETPROBE_DIR_INGRESS, NETPROBE_PROTO_ALL));
}

TEST(NetprobeBpf, GsoSuperPacketsCountAsTheirSegments) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(false);
  ASSERT_NE(programs, nullptr);
  ASSERT_TRUE(programs->create_keys(kLoopback).ok());
  const auto frame = tcp4_frame(1000);
  ASSERT_EQ(run(programs->egress().fd, frame, 2, /*gso_segs=*/4).err, 0);
  ASSERT_EQ(run(programs->egress().fd, frame, 1, /*gso_segs=*/0).err, 0);
  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL),
            (Counts{2 * 4 + 1, 3 * frame.size()}));
}

// The breakdown reads the IP header directly when the slot knows the L2 length (Ethernet:
// 14), with bpf_skb_load_bytes_relative() when it does not, and on the fallback hash path.
class NetprobeBpfClassify : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(NetprobeBpfClassify, ClassifiesL4Protocols) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(true);
  ASSERT_NE(programs, nullptr);
  if (GetParam() == 0) {
    // Fallback path: another interface holds lo's slot.
    ASSERT_TRUE(programs->create_keys(kLoopback + NETPROBE_FAST_SLOTS, 14).ok());
    ASSERT_TRUE(programs->create_keys(kLoopback, 14).ok());
    ASSERT_FALSE(programs->owns_slot(kLoopback));
  } else {
    ASSERT_TRUE(programs->create_keys(kLoopback, GetParam()).ok());
    ASSERT_TRUE(programs->owns_slot(kLoopback));
  }
  const int fd = programs->ingress().fd;
  ASSERT_EQ(run(fd, tcp4_frame(10), 2).err, 0);
  ASSERT_EQ(run(fd, udp4_frame(10), 3).err, 0);
  ASSERT_EQ(run(fd, udp6_frame(10), 4).err, 0);
  ASSERT_EQ(run(fd, icmp4_frame(10), 5).err, 0);
  ASSERT_EQ(run(fd, icmp6_frame(10), 6).err, 0);
  ASSERT_EQ(run(fd, arp_frame(), 7).err, 0);

  const auto at = [&](int proto) {
    return counts_of(*programs, kLoopback, NETPROBE_DIR_INGRESS, proto).value_or(Counts{});
  };
  EXPECT_EQ(at(NETPROBE_PROTO_TCP), (Counts{2, 2 * tcp4_frame(10).size()}));
  EXPECT_EQ(at(NETPROBE_PROTO_UDP),
            (Counts{3 + 4, 3 * udp4_frame(10).size() + 4 * udp6_frame(10).size()}));
  EXPECT_EQ(at(NETPROBE_PROTO_ICMP),
            (Counts{5 + 6, 5 * icmp4_frame(10).size() + 6 * icmp6_frame(10).size()}));
  EXPECT_EQ(at(NETPROBE_PROTO_OTHER), (Counts{7, 7 * arp_frame().size()}));
  EXPECT_FALSE(counts_of(*programs, kLoopback, NETPROBE_DIR_INGRESS, NETPROBE_PROTO_ALL));
}

INSTANTIATE_TEST_SUITE_P(L2, NetprobeBpfClassify, ::testing::Values(14u, NETPROBE_L2_UNKNOWN, 0u),
                         [](const auto& info) {
                           return info.param == 14u                   ? std::string("Direct")
                                  : info.param == NETPROBE_L2_UNKNOWN ? std::string("Helper")
                                                                      : std::string("Fallback");
                         });

TEST(NetprobeBpf, SlotCollisionFallsBackToTheHashMap) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(false);
  ASSERT_NE(programs, nullptr);
  const std::uint32_t other = kLoopback + NETPROBE_FAST_SLOTS;  // same slot as lo
  ASSERT_TRUE(programs->create_keys(other).ok());
  ASSERT_TRUE(programs->create_keys(kLoopback).ok());
  EXPECT_TRUE(programs->owns_slot(other));
  EXPECT_FALSE(programs->owns_slot(kLoopback));
  ASSERT_EQ(run(programs->egress().fd, udp4_frame(100), 11).err, 0);
  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL),
            (Counts{11, 11 * 142}));
  EXPECT_EQ(counts_of(*programs, other, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL), (Counts{0, 0}));

  // Releasing the slot and claiming it again starts from zero.
  programs->delete_keys(other);
  programs->delete_keys(kLoopback);
  ASSERT_TRUE(programs->create_keys(kLoopback).ok());
  EXPECT_TRUE(programs->owns_slot(kLoopback));
  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL),
            (Counts{0, 0}));
  ASSERT_EQ(run(programs->egress().fd, udp4_frame(100), 4).err, 0);
  EXPECT_EQ(counts_of(*programs, kLoopback, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL),
            (Counts{4, 4 * 142}));
}

TEST(NetprobeBpf, PerCpuValuesAreSummed) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(false);
  ASSERT_NE(programs, nullptr);
  const auto cpus = static_cast<std::size_t>(programs->possible_cpus());
  // Write a value with a different count in every CPU slot, then read it back summed.
  std::vector<netprobe_value> slots(cpus);
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < cpus; ++i) {
    slots[i] = {i + 1, 100 * (i + 1)};
    packets += i + 1;
    bytes += 100 * (i + 1);
  }
  const netprobe_key key{42, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL, 0};
  ASSERT_EQ(bpf_map_update_elem(programs->counters_fd(), &key, slots.data(), BPF_ANY), 0);
  EXPECT_EQ(counts_of(*programs, 42, NETPROBE_DIR_EGRESS, NETPROBE_PROTO_ALL),
            (Counts{packets, bytes}));
}

TEST(NetprobeBpf, ReadsThousandsOfKeysInBatches) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load(true);
  ASSERT_NE(programs, nullptr);
  for (std::uint32_t ifindex = 1000; ifindex < 3000; ++ifindex) {
    const auto created = programs->create_keys(ifindex);
    ASSERT_TRUE(created.ok()) << created.error().message();
  }
  auto readings = programs->read_counters();
  ASSERT_TRUE(readings.ok()) << readings.error().message();
  EXPECT_EQ(readings->size(), 2000u * 2 * 4);
}

}  // namespace
}  // namespace observo::netprobe

// The Probe engine on real links in the test's private netns: it attaches to matching
// interfaces at start and as they appear, follows renames, forgets deleted interfaces (their
// samples go), re-attaches a filter someone removed, and counts exactly.
#include <bpf/bpf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "bpf_test_support.h"
#include "sources/netprobe/probe.h"

namespace observo::netprobe {
namespace {

using bpftest::sh;
using bpftest::sh_output;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

ProbeOptions options(std::vector<std::string> include, std::vector<std::string> exclude = {}) {
  ProbeOptions o;
  o.include = std::move(include);
  o.exclude = std::move(exclude);
  o.tc = {0x4f42, 1};
  return o;
}

// Handles link events until `done` holds (at most 5 s).
bool pump_until(Probe& probe, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    pollfd fd{probe.event_fd(), POLLIN, 0};
    ::poll(&fd, 1, 100);
    probe.handle_events();
  }
  return true;
}

// Counts `repeat` copies of a frame on ifindex with the ingress program, as if received.
void inject(const Probe& probe, std::uint32_t ifindex, std::size_t payload, std::uint32_t repeat) {
  const auto frame = bpftest::udp4_frame(payload);
  std::vector<std::uint8_t> out(frame.size() + 256);
  __sk_buff ctx{};
  ctx.ifindex = ifindex;
  bpf_test_run_opts opts{};
  opts.sz = sizeof opts;
  opts.data_in = frame.data();
  opts.data_size_in = static_cast<__u32>(frame.size());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<__u32>(out.size());
  opts.ctx_in = &ctx;
  opts.ctx_size_in = sizeof ctx;
  opts.repeat = repeat;
  ASSERT_EQ(bpf_prog_test_run_opts(probe.programs()->ingress().fd, &opts), 0);
}

const InterfaceSample* find(const std::vector<InterfaceSample>& samples, const std::string& name) {
  const auto it = std::find_if(samples.begin(), samples.end(),
                               [&name](const auto& s) { return s.name == name; });
  return it == samples.end() ? nullptr : &*it;
}

class ProbeTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& name : links_) sh("ip link del " + name);
  }
  void veth(const std::string& a, const std::string& b) {
    ASSERT_EQ(sh("ip link add name " + a + " type veth peer name " + b), 0);
    sh("ip link set " + a + " up");
    links_.push_back(a);
  }
  std::vector<std::string> links_;
};

TEST_F(ProbeTest, AttachesMatchingInterfacesAndFollowsLinkEvents) {
  OBSERVO_SKIP_WITHOUT_BPF();
  veth("pa0", "xa0");
  Probe probe(options({"pa*", "pz*"}, {"pax*"}));
  ASSERT_TRUE(probe.load().ok());
  ASSERT_TRUE(probe.watch().ok());
  probe.resync();
  EXPECT_THAT(probe.attached_names(), ElementsAre("pa0"));

  // Hot-plug.
  veth("pa1", "xa1");
  ASSERT_TRUE(pump_until(probe, [&] { return probe.attached_names().size() == 2; }));
  EXPECT_THAT(probe.attached_names(), ElementsAre("pa0", "pa1"));
  EXPECT_THAT(sh_output("tc filter show dev pa1 ingress"), HasSubstr("observo_ingress"));

  // Rename, still matching: same ifindex, new name.
  const auto index = ::if_nametoindex("pa1");
  ASSERT_EQ(sh("ip link set pa1 down && ip link set pa1 name pz1 && ip link set pz1 up"), 0);
  links_.back() = "pz1";
  ASSERT_TRUE(pump_until(probe, [&] {
    const auto names = probe.attached_names();
    return std::find(names.begin(), names.end(), "pz1") != names.end();
  }));
  EXPECT_THAT(probe.attached_names(), ElementsAre("pa0", "pz1"));
  auto samples = probe.collect();
  ASSERT_TRUE(samples.has_value());
  ASSERT_NE(find(*samples, "pz1"), nullptr);
  EXPECT_EQ(find(*samples, "pz1")->ifindex, index);

  // Rename to an excluded name: detached, its filters removed.
  ASSERT_EQ(sh("ip link set pz1 down && ip link set pz1 name pax1"), 0);
  links_.back() = "pax1";
  ASSERT_TRUE(pump_until(probe, [&] { return probe.attached_names().size() == 1; }));
  EXPECT_THAT(sh_output("tc filter show dev pax1 ingress"), Not(HasSubstr("observo")));
  EXPECT_THAT(sh_output("tc qdisc show dev pax1"), Not(HasSubstr("clsact")));

  // Deletion: forgotten, and its samples are gone.
  ASSERT_EQ(sh("ip link del pa0"), 0);
  links_.erase(links_.begin());
  ASSERT_TRUE(pump_until(probe, [&] { return probe.attached_names().empty(); }));
  samples = probe.collect();
  ASSERT_TRUE(samples.has_value());
  EXPECT_TRUE(samples->empty());
  EXPECT_EQ(probe.stats().attached_interfaces, 0u);
  EXPECT_EQ(probe.stats().map_entries, 0u);
}

TEST_F(ProbeTest, ResynchronisesAfterANetlinkOverrun) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto o = options({"po*"});
  o.event_buffer_bytes = 1;  // the kernel's minimum (a few KiB): a burst of links overruns it
  Probe probe(o);
  ASSERT_TRUE(probe.load().ok());
  ASSERT_TRUE(probe.watch().ok());
  probe.resync();
  EXPECT_TRUE(probe.attached_names().empty());

  // 40 links (80 RTM_NEWLINK events of about 1 KiB each) while nobody reads the socket.
  for (int i = 0; i < 40; ++i) veth("po" + std::to_string(i), "xo" + std::to_string(i));
  ASSERT_TRUE(pump_until(probe, [&] { return probe.attached_names().size() == 40; }));
  EXPECT_GE(probe.overruns(), 1u);  // the events were lost, and the resync found every link

  for (int i = 0; i < 40; ++i) sh("ip link del po" + std::to_string(i));
  links_.clear();
  ASSERT_TRUE(pump_until(probe, [&] { return probe.attached_names().empty(); }));
}

TEST_F(ProbeTest, CollectsExactCountsAndRates) {
  OBSERVO_SKIP_WITHOUT_BPF();
  veth("pc0", "xc0");
  Probe probe(options({"pc0"}));
  ASSERT_TRUE(probe.load().ok());
  probe.resync();
  ASSERT_THAT(probe.attached_names(), ElementsAre("pc0"));
  const auto index = ::if_nametoindex("pc0");

  auto first = probe.collect();
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_FALSE((*first)[0].rates[NETPROBE_DIR_INGRESS].has_value());

  inject(probe, index, 100, 250);  // 250 x 142 bytes
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto second = probe.collect();
  ASSERT_TRUE(second.has_value());
  const auto& s = (*second)[0];
  EXPECT_EQ(s.totals[NETPROBE_DIR_INGRESS], (Counts{250, 250 * 142}));
  EXPECT_TRUE(s.active);
  ASSERT_TRUE(s.rates[NETPROBE_DIR_INGRESS].has_value());
  EXPECT_GT(s.rates[NETPROBE_DIR_INGRESS]->packets_per_second, 0);
  // rate x interval == the increase (interval >= the 100 ms slept, so rate <= 2500/s).
  EXPECT_LE(s.rates[NETPROBE_DIR_INGRESS]->packets_per_second, 2500.0 + 1e-9);

  auto third = probe.collect();
  EXPECT_FALSE((*third)[0].active);
  EXPECT_EQ((*third)[0].rates[NETPROBE_DIR_INGRESS]->packets_per_second, 0);
  EXPECT_EQ(probe.stats().collections, 3u);
  EXPECT_EQ(probe.stats().map_entries, 2u);
}

TEST_F(ProbeTest, ReattachesAFilterSomeoneRemoved) {
  OBSERVO_SKIP_WITHOUT_BPF();
  veth("pd0", "xd0");
  Probe probe(options({"pd0"}));
  ASSERT_TRUE(probe.load().ok());
  probe.resync();
  ASSERT_THAT(probe.attached_names(), ElementsAre("pd0"));
  ASSERT_EQ(sh("tc filter del dev pd0 ingress pref 1 handle 0x4f42 bpf"), 0);
  EXPECT_THAT(sh_output("tc filter show dev pd0 ingress"), Not(HasSubstr("observo")));
  probe.resync();
  EXPECT_THAT(sh_output("tc filter show dev pd0 ingress"), HasSubstr("observo_ingress"));
  const auto egress = sh_output("tc filter show dev pd0 egress");
  // One filter line per hook: "observo_egress:[id]" (tc prints the name twice per line).
  EXPECT_EQ(egress.find("observo_egress:["), egress.rfind("observo_egress:[")) << egress;
  EXPECT_NE(egress.find("observo_egress:["), std::string::npos);
}

TEST_F(ProbeTest, ConflictIsCountedAndOtherInterfacesStillAttach) {
  OBSERVO_SKIP_WITHOUT_BPF();
  veth("pe0", "xe0");
  veth("pe1", "xe1");
  ASSERT_EQ(sh("tc qdisc add dev pe0 clsact"), 0);
  ASSERT_EQ(sh("tc filter add dev pe0 ingress prio 1 protocol ip u32 match u32 0 0"), 0);
  Probe probe(options({"pe*"}));
  ASSERT_TRUE(probe.load().ok());
  probe.resync();
  EXPECT_THAT(probe.attached_names(), ElementsAre("pe1"));
  EXPECT_EQ(probe.stats().attach_errors.at(AttachErrorReason::kConflict), 1u);
  EXPECT_FALSE(probe.permission_denied());
  EXPECT_THAT(sh_output("tc filter show dev pe0 ingress"), HasSubstr("u32"));
  // A later link event does not retry the failed slot right away (no log or counter storm).
  probe.resync();
  EXPECT_EQ(probe.stats().attach_errors.at(AttachErrorReason::kConflict), 1u);
}

TEST_F(ProbeTest, DestructorDetachesEverything) {
  OBSERVO_SKIP_WITHOUT_BPF();
  veth("pf0", "xf0");
  {
    Probe probe(options({"pf0"}));
    ASSERT_TRUE(probe.load().ok());
    probe.resync();
    ASSERT_THAT(probe.attached_names(), ElementsAre("pf0"));
  }
  EXPECT_THAT(sh_output("tc filter show dev pf0 ingress"), Not(HasSubstr("observo")));
  EXPECT_THAT(sh_output("tc qdisc show dev pf0"), Not(HasSubstr("clsact")));
}

}  // namespace
}  // namespace observo::netprobe

// Attaching and detaching on real clsact hooks (veth pairs in the test's private netns): the
// qdisc is created or reused, another tool's filters are never touched, a killed observo's
// filter is adopted, and detach removes exactly what observo owns.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bpf_test_support.h"
#include "sources/netprobe/tc_attach.h"

namespace observo::netprobe {
namespace {

using bpftest::sh;
using bpftest::sh_output;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr TcSettings kSettings{0x4f42, 1};

// A veth pair created for one test and deleted after it.
class Veth {
 public:
  explicit Veth(std::string name) : name_(std::move(name)) {
    EXPECT_EQ(sh("ip link add name " + name_ + " type veth peer name " + name_ + "p"), 0);
    sh("ip link set " + name_ + " up");
    ifindex_ = ::if_nametoindex(name_.c_str());
  }
  ~Veth() { sh("ip link del " + name_); }
  const std::string& name() const { return name_; }
  std::uint32_t ifindex() const { return ifindex_; }

 private:
  std::string name_;
  std::uint32_t ifindex_ = 0;
};

std::string filters(const std::string& dev, const char* hook) {
  return sh_output("tc filter show dev " + dev + " " + hook);
}
std::string qdiscs(const std::string& dev) { return sh_output("tc qdisc show dev " + dev); }

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::unique_ptr<BpfPrograms> load() {
  auto programs = BpfPrograms::load({});
  EXPECT_TRUE(programs.ok()) << programs.error().message();
  return programs ? std::move(*programs) : nullptr;
}

// Another tool's TC program: "return TC_ACT_OK" under the name "foreign".
UniqueFd foreign_program() {
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  return UniqueFd(bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "foreign", "GPL", insns, 2, nullptr));
}

int tc_attach_raw(std::uint32_t ifindex, int prog_fd, __u32 flags) {
  bpf_tc_hook hook{};
  hook.sz = sizeof hook;
  hook.ifindex = static_cast<int>(ifindex);
  hook.attach_point = BPF_TC_INGRESS;
  bpf_tc_hook_create(&hook);
  bpf_tc_opts opts{};
  opts.sz = sizeof opts;
  opts.prog_fd = prog_fd;
  opts.flags = flags;
  opts.handle = kSettings.handle;
  opts.priority = kSettings.priority;
  return bpf_tc_attach(&hook, &opts);
}

TEST(NetprobeTcAttach, CreatesTheQdiscAndRemovesItOnDetach) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load();
  ASSERT_NE(programs, nullptr);
  Veth veth("tca0");
  TcAttacher attacher(programs->ingress(), programs->egress(), kSettings);
  auto attachment = attacher.attach(veth.ifindex(), veth.name());
  ASSERT_TRUE(attachment.ok()) << attachment.error().message();
  EXPECT_TRUE((*attachment)->created_qdisc());
  EXPECT_FALSE((*attachment)->adopted());
  EXPECT_TRUE(attacher.intact(**attachment));

  const auto ingress = filters(veth.name(), "ingress");
  EXPECT_THAT(ingress, HasSubstr("handle 0x4f42 observo_ingress:[" +
                                 std::to_string(programs->ingress().id) + "]"));
  EXPECT_THAT(ingress, HasSubstr("pref 1 bpf"));
  EXPECT_THAT(ingress, HasSubstr("direct-action"));
  EXPECT_THAT(filters(veth.name(), "egress"), HasSubstr("observo_egress:["));
  EXPECT_THAT(qdiscs(veth.name()), HasSubstr("clsact"));

  attachment->reset();  // RAII: detaches
  EXPECT_THAT(filters(veth.name(), "ingress"), Not(HasSubstr("observo")));
  EXPECT_THAT(filters(veth.name(), "egress"), Not(HasSubstr("observo")));
  EXPECT_THAT(qdiscs(veth.name()), Not(HasSubstr("clsact")));
}

TEST(NetprobeTcAttach, KeepsAnExistingQdiscAndTheFiltersOfOtherTools) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load();
  ASSERT_NE(programs, nullptr);
  Veth veth("tcb0");
  ASSERT_EQ(sh("tc qdisc add dev tcb0 clsact"), 0);
  ASSERT_EQ(sh("tc filter add dev tcb0 ingress prio 100 protocol all u32 match u32 0 0"), 0);
  ASSERT_EQ(sh("tc filter add dev tcb0 egress prio 100 protocol ip u32 match u32 0 0"), 0);
  const auto before_in = filters("tcb0", "ingress");
  const auto before_out = filters("tcb0", "egress");

  TcAttacher attacher(programs->ingress(), programs->egress(), kSettings);
  auto attachment = attacher.attach(veth.ifindex(), veth.name());
  ASSERT_TRUE(attachment.ok()) << attachment.error().message();
  EXPECT_FALSE((*attachment)->created_qdisc());
  EXPECT_THAT(filters("tcb0", "ingress"), HasSubstr("observo_ingress"));
  EXPECT_THAT(filters("tcb0", "ingress"), HasSubstr("u32"));

  attachment->reset();
  EXPECT_EQ(filters("tcb0", "ingress"), before_in);
  EXPECT_EQ(filters("tcb0", "egress"), before_out);
  EXPECT_THAT(qdiscs("tcb0"), HasSubstr("clsact"));
}

TEST(NetprobeTcAttach, AnotherFilterKindAtOurPriorityIsAConflict) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load();
  ASSERT_NE(programs, nullptr);
  Veth veth("tcc0");
  ASSERT_EQ(sh("tc qdisc add dev tcc0 clsact"), 0);
  ASSERT_EQ(sh("tc filter add dev tcc0 egress prio 1 protocol ip u32 match u32 0 0"), 0);
  const auto before = filters("tcc0", "egress");

  TcAttacher attacher(programs->ingress(), programs->egress(), kSettings);
  auto attachment = attacher.attach(veth.ifindex(), veth.name());
  ASSERT_FALSE(attachment.ok());
  EXPECT_EQ(attachment.error().err, EEXIST);
  EXPECT_THAT(attachment.error().message(), HasSubstr("used by a u32 filter of another tool"));
  EXPECT_THAT(attachment.error().message(), HasSubstr("netprobe.tc_priority"));
  // All or nothing: the ingress filter attached before the failure is gone again.
  EXPECT_THAT(filters("tcc0", "ingress"), Not(HasSubstr("observo")));
  EXPECT_EQ(filters("tcc0", "egress"), before);
  EXPECT_THAT(qdiscs("tcc0"), HasSubstr("clsact"));
}

TEST(NetprobeTcAttach, NeverReplacesAnotherToolsProgramInOurSlot) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load();
  ASSERT_NE(programs, nullptr);
  Veth veth("tcd0");
  auto foreign = foreign_program();
  ASSERT_TRUE(foreign.valid()) << std::strerror(errno);
  ASSERT_EQ(tc_attach_raw(veth.ifindex(), foreign.get(), 0), 0);

  TcAttacher attacher(programs->ingress(), programs->egress(), kSettings);
  auto attachment = attacher.attach(veth.ifindex(), veth.name());
  ASSERT_FALSE(attachment.ok());
  EXPECT_EQ(attachment.error().err, EEXIST);
  EXPECT_THAT(attachment.error().message(), HasSubstr("holds another tool's filter (foreign:["));
  EXPECT_THAT(filters("tcd0", "ingress"), HasSubstr("foreign:["));
  EXPECT_THAT(filters("tcd0", "egress"), Not(HasSubstr("observo")));
}

TEST(NetprobeTcAttach, AdoptsTheFilterOfAKilledObservo) {
  OBSERVO_SKIP_WITHOUT_BPF();
  Veth veth("tce0");
  {
    // First run: attach, then "crash": no detach, programs unloaded; the filters stay.
    auto first = load();
    ASSERT_NE(first, nullptr);
    TcAttacher attacher(first->ingress(), first->egress(), kSettings);
    auto attachment = attacher.attach(veth.ifindex(), veth.name());
    ASSERT_TRUE(attachment.ok());
    (*attachment)->forget();
  }
  EXPECT_EQ(count_of(filters("tce0", "ingress"), "observo_ingress:["), 1);

  auto second = load();
  ASSERT_NE(second, nullptr);
  TcAttacher attacher(second->ingress(), second->egress(), kSettings);
  auto attachment = attacher.attach(veth.ifindex(), veth.name());
  ASSERT_TRUE(attachment.ok()) << attachment.error().message();
  EXPECT_TRUE((*attachment)->adopted());
  EXPECT_TRUE((*attachment)->inherited_qdisc());
  const auto ingress = filters("tce0", "ingress");
  EXPECT_EQ(count_of(ingress, "observo_ingress:["), 1) << ingress;
  EXPECT_THAT(ingress, HasSubstr("observo_ingress:[" + std::to_string(second->ingress().id)));
  EXPECT_EQ(count_of(filters("tce0", "egress"), "observo_egress:["), 1);

  attachment->reset();
  EXPECT_THAT(filters("tce0", "ingress"), Not(HasSubstr("observo")));
  EXPECT_THAT(qdiscs("tce0"), Not(HasSubstr("clsact")));
}

TEST(NetprobeTcAttach, DetachLeavesASlotSomeoneElseTookOver) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load();
  ASSERT_NE(programs, nullptr);
  Veth veth("tcf0");
  TcAttacher attacher(programs->ingress(), programs->egress(), kSettings);
  auto attachment = attacher.attach(veth.ifindex(), veth.name());
  ASSERT_TRUE(attachment.ok());
  auto foreign = foreign_program();
  ASSERT_EQ(tc_attach_raw(veth.ifindex(), foreign.get(), BPF_TC_F_REPLACE), 0);
  EXPECT_FALSE(attacher.intact(**attachment));

  attachment->reset();
  EXPECT_THAT(filters("tcf0", "ingress"), HasSubstr("foreign:["));
  EXPECT_THAT(filters("tcf0", "egress"), Not(HasSubstr("observo")));
  EXPECT_THAT(qdiscs("tcf0"), HasSubstr("clsact"));  // not empty, so kept
}

TEST(NetprobeTcAttach, MissingInterfaceIsENODEV) {
  OBSERVO_SKIP_WITHOUT_BPF();
  auto programs = load();
  ASSERT_NE(programs, nullptr);
  TcAttacher attacher(programs->ingress(), programs->egress(), kSettings);
  auto attachment = attacher.attach(999999, "ghost0");
  ASSERT_FALSE(attachment.ok());
  EXPECT_EQ(attachment.error().err, ENODEV) << attachment.error().message();
}

}  // namespace
}  // namespace observo::netprobe

// The degraded-mode log line: cause and remedy from errno, capabilities and BTF.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "sources/netprobe/diagnosis.h"
#include "sources/netprobe/probe.h"

namespace observo::netprobe {
namespace {

using ::testing::HasSubstr;

constexpr std::uint64_t kRootCaps = 0x1ffffffffffULL;
constexpr std::uint64_t bit(int cap) { return std::uint64_t{1} << cap; }

HostFacts host(std::uint64_t caps, bool btf = true) {
  HostFacts facts;
  facts.euid = caps == kRootCaps ? 0 : 1000;
  facts.effective_caps = caps;
  facts.btf_present = btf;
  facts.kernel_release = "6.1.0-test";
  return facts;
}

TEST(NetprobeDiagnosis, NoCapabilitiesNamesBothAndTheRemedy) {
  const auto d = diagnose({EPERM, "loading the BPF programs"}, host(0), "");
  EXPECT_THAT(d.cause, HasSubstr("missing CAP_BPF, CAP_NET_ADMIN"));
  EXPECT_THAT(d.cause, HasSubstr("uid 1000"));
  EXPECT_THAT(d.cause, HasSubstr("EPERM"));
  EXPECT_THAT(d.remedy, HasSubstr("run observo as root"));
  EXPECT_THAT(d.remedy, HasSubstr("AmbientCapabilities=CAP_BPF CAP_NET_ADMIN"));
}

TEST(NetprobeDiagnosis, OneMissingCapability) {
  EXPECT_EQ(missing_capabilities(host(bit(kCapBpf))), "CAP_NET_ADMIN");
  EXPECT_EQ(missing_capabilities(host(bit(kCapNetAdmin))), "CAP_BPF");
  EXPECT_EQ(missing_capabilities(host(bit(kCapNetAdmin) | bit(kCapSysAdmin))), "");
  EXPECT_EQ(missing_capabilities(HostFacts{}), "");
  const auto d = diagnose({EPERM, "x"}, host(bit(kCapBpf)), "");
  EXPECT_THAT(d.cause, HasSubstr("missing CAP_NET_ADMIN"));
}

TEST(NetprobeDiagnosis, EpermWithCapabilitiesPointsAtSeccompOrLsm) {
  const auto d = diagnose({EPERM, "x"}, host(kRootCaps), "");
  EXPECT_THAT(d.cause, HasSubstr("refused bpf()"));
  EXPECT_THAT(d.remedy, HasSubstr("seccomp"));
}

TEST(NetprobeDiagnosis, MissingBtf) {
  const auto d = diagnose({EINVAL, "x"}, host(kRootCaps, /*btf=*/false), "");
  EXPECT_THAT(d.cause, HasSubstr("/sys/kernel/btf/vmlinux"));
  EXPECT_THAT(d.remedy, HasSubstr("CONFIG_DEBUG_INFO_BTF=y"));
}

TEST(NetprobeDiagnosis, VerifierRejectionAsksForDebugLog) {
  const auto d = diagnose({EACCES, "loading the BPF programs"}, host(kRootCaps),
                          "prog 'observo_ingress': BPF program load failed: Permission denied");
  EXPECT_THAT(d.cause, HasSubstr("6.1.0-test"));
  EXPECT_THAT(d.cause, HasSubstr("libbpf: prog 'observo_ingress'"));
  EXPECT_THAT(d.remedy, HasSubstr("--log-level debug"));
}

TEST(NetprobeDiagnosis, AttachErrorReasons) {
  EXPECT_EQ(classify_attach_error({EPERM, ""}), AttachErrorReason::kPermission);
  EXPECT_EQ(classify_attach_error({ENODEV, ""}), AttachErrorReason::kInterfaceGone);
  EXPECT_EQ(classify_attach_error({EEXIST, ""}), AttachErrorReason::kConflict);
  EXPECT_EQ(classify_attach_error({EINVAL, ""}), AttachErrorReason::kRejected);
  EXPECT_EQ(classify_attach_error({ENOMEM, ""}), AttachErrorReason::kOther);
  EXPECT_EQ(SysError({ENODEV, "bpf_tc_attach on x"}).message(),
            "bpf_tc_attach on x: No such device (ENODEV)");
}

}  // namespace
}  // namespace observo::netprobe

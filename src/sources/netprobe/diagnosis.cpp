#include "sources/netprobe/diagnosis.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace observo::netprobe {
namespace {

bool has_cap(std::uint64_t caps, int cap) { return (caps >> cap) & 1u; }

constexpr const char* kCapabilityRemedy =
    "run observo as root, or grant it CAP_BPF and CAP_NET_ADMIN (systemd: "
    "AmbientCapabilities=CAP_BPF CAP_NET_ADMIN; Kubernetes: securityContext.capabilities.add: "
    "[BPF, NET_ADMIN]; kernels before 5.8 need CAP_SYS_ADMIN instead of CAP_BPF)";

}  // namespace

HostFacts probe_host() {
  HostFacts host;
  host.euid = ::geteuid();
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) == 0) {
      try {
        host.effective_caps = std::stoull(line.substr(7), nullptr, 16);
      } catch (...) {
      }
    }
  }
  host.btf_present = ::access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  utsname names{};
  if (::uname(&names) == 0) host.kernel_release = names.release;
  return host;
}

std::string missing_capabilities(const HostFacts& host) {
  if (!host.effective_caps) return "";
  const auto caps = *host.effective_caps;
  std::string missing;
  if (!has_cap(caps, kCapBpf) && !has_cap(caps, kCapSysAdmin)) missing = "CAP_BPF";
  if (!has_cap(caps, kCapNetAdmin))
    missing += missing.empty() ? "CAP_NET_ADMIN" : ", CAP_NET_ADMIN";
  return missing;
}

Diagnosis diagnose(const SysError& error, const HostFacts& host,
                   const std::string& libbpf_warning) {
  const std::string detail = libbpf_warning.empty()
                                 ? error.message()
                                 : fmt::format("{}; libbpf: {}", error.message(), libbpf_warning);
  const auto missing = missing_capabilities(host);
  if ((error.err == EPERM || error.err == EACCES) && !missing.empty()) {
    return {fmt::format("missing {} (uid {}, effective capabilities 0x{:x}): {}", missing,
                        host.euid, host.effective_caps.value_or(0), detail),
            kCapabilityRemedy};
  }
  if (error.err == EPERM) {
    return {fmt::format("the kernel refused bpf() although observo has CAP_BPF and "
                        "CAP_NET_ADMIN: {}",
                        detail),
            "allow the bpf() syscall for observo: a seccomp profile (Docker/containerd default), "
            "an LSM (SELinux, AppArmor) or kernel lockdown is blocking it"};
  }
  if (!host.btf_present) {
    return {fmt::format("the kernel has no BTF (/sys/kernel/btf/vmlinux is missing): {}", detail),
            "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Linux 5.6 or later; Debian, Ubuntu, "
            "RHEL and Fedora kernels have it)"};
  }
  if (error.err == ENOSYS) {
    return {fmt::format("the kernel has no bpf() syscall: {}", detail),
            "use a kernel built with CONFIG_BPF_SYSCALL=y"};
  }
  if (error.err == EINVAL || error.err == EACCES || error.err == E2BIG || error.err == 524 ||
      error.err == ENOTSUP) {
    const auto kernel = host.kernel_release.empty()
                            ? std::string("the kernel")
                            : fmt::format("the kernel ({})", host.kernel_release);
    return {fmt::format("{} rejected netprobe's TC programs: {}", kernel, detail),
            "netprobe needs Linux 5.6 or later with CONFIG_NET_CLS_BPF, CONFIG_NET_SCH_INGRESS "
            "and BTF; start observo with --log-level debug to see libbpf's verifier log"};
  }
  return {detail, "start observo with --log-level debug to see libbpf's messages"};
}

}  // namespace observo::netprobe

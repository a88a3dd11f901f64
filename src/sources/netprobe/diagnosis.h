// Why netprobe cannot run on this host, in words an operator can act on.
//
// A failed load or attach carries only an errno; the same EPERM means "not root" in one place
// and "a seccomp profile blocks bpf()" in another. The process's effective capabilities and the
// presence of kernel BTF tell them apart, so the log line names the cause and the remedy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sources/netprobe/sys_error.h"

namespace observo::netprobe {

// Capability bits (linux/capability.h) netprobe cares about.
inline constexpr int kCapNetAdmin = 12;
inline constexpr int kCapSysAdmin = 21;
inline constexpr int kCapBpf = 39;

struct HostFacts {
  unsigned euid = 0;
  std::optional<std::uint64_t> effective_caps;  // CapEff of /proc/self/status
  bool btf_present = true;                      // /sys/kernel/btf/vmlinux
  std::string kernel_release;                   // uname -r
};

HostFacts probe_host();

struct Diagnosis {
  std::string cause;
  std::string remedy;
};

// `error` is the failed load or attach; `libbpf_warning` the first warning libbpf printed, if any.
Diagnosis diagnose(const SysError& error, const HostFacts& host, const std::string& libbpf_warning);

// The missing capabilities among CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN, comma-separated;
// "" when none is missing or the capabilities are unknown.
std::string missing_capabilities(const HostFacts& host);

}  // namespace observo::netprobe

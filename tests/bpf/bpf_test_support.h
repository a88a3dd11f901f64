// Support for the root-only BPF tests: a private network namespace for the whole test binary,
// a shell helper for iproute2, and synthetic Ethernet frames for BPF_PROG_TEST_RUN.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace observo::bpftest {

// Moves this process into a fresh network namespace (unshare(CLONE_NEWNET)) before any thread
// starts, so every interface a test creates vanishes with the process, even after a crash.
// Returns "" on success, else why the BPF tests must skip.
std::string enter_private_netns();
// Why the tests skip ("" when they can run): set by main() from enter_private_netns().
const std::string& skip_reason();

// Runs a shell command in the private namespace; returns its exit status.
int sh(const std::string& command);
// Runs a shell command and returns its stdout.
std::string sh_output(const std::string& command);

// Ethernet frames (14-byte header, no FCS) of the given total length where the layout allows.
std::vector<std::uint8_t> udp4_frame(std::size_t payload);
std::vector<std::uint8_t> tcp4_frame(std::size_t payload);
std::vector<std::uint8_t> icmp4_frame(std::size_t payload);
std::vector<std::uint8_t> udp6_frame(std::size_t payload);
std::vector<std::uint8_t> icmp6_frame(std::size_t payload);
std::vector<std::uint8_t> arp_frame();

}  // namespace observo::bpftest

#define OBSERVO_SKIP_WITHOUT_BPF()                       \
  do {                                                   \
    if (!::observo::bpftest::skip_reason().empty()) {    \
      GTEST_SKIP() << ::observo::bpftest::skip_reason(); \
    }                                                    \
  } while (0)

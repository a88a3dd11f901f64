#include "bpf_test_support.h"

#include <arpa/inet.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace observo::bpftest {
namespace {

std::string g_skip_reason = "the private network namespace was not set up";

constexpr std::uint16_t kEthIp = 0x0800;
constexpr std::uint16_t kEthIpv6 = 0x86DD;
constexpr std::uint16_t kEthArp = 0x0806;

void put16(std::vector<std::uint8_t>& f, std::size_t at, std::uint16_t v) {
  f[at] = static_cast<std::uint8_t>(v >> 8);
  f[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}

std::vector<std::uint8_t> ethernet(std::uint16_t type, std::size_t rest) {
  std::vector<std::uint8_t> f(14 + rest, 0);
  const std::uint8_t dst[6] = {0x02, 0, 0, 0, 0, 2};
  const std::uint8_t src[6] = {0x02, 0, 0, 0, 0, 1};
  std::memcpy(f.data(), dst, 6);
  std::memcpy(f.data() + 6, src, 6);
  put16(f, 12, type);
  return f;
}

std::vector<std::uint8_t> ipv4(std::uint8_t protocol, std::size_t l4) {
  auto f = ethernet(kEthIp, 20 + l4);
  f[14] = 0x45;
  put16(f, 16, static_cast<std::uint16_t>(20 + l4));
  f[22] = 64;
  f[23] = protocol;
  const std::uint8_t addresses[8] = {10, 0, 0, 1, 10, 0, 0, 2};
  std::memcpy(f.data() + 26, addresses, 8);
  return f;
}

std::vector<std::uint8_t> ipv6(std::uint8_t next_header, std::size_t l4) {
  auto f = ethernet(kEthIpv6, 40 + l4);
  f[14] = 0x60;
  put16(f, 18, static_cast<std::uint16_t>(l4));
  f[20] = next_header;
  f[21] = 64;
  f[22 + 15] = 1;  // ::1 -> ::2
  f[38 + 15] = 2;
  return f;
}

}  // namespace

std::string enter_private_netns() {
  if (::geteuid() != 0) return g_skip_reason = "needs root (CAP_BPF, CAP_NET_ADMIN)";
  if (::unshare(CLONE_NEWNET) != 0) {
    return g_skip_reason = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
  }
  if (sh("ip link set lo up") != 0) return g_skip_reason = "iproute2 (ip) is missing";
  g_skip_reason.clear();
  return g_skip_reason;
}

const std::string& skip_reason() { return g_skip_reason; }

int sh(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string sh_output(const std::string& command) {
  std::unique_ptr<FILE, decltype(&::pclose)> pipe(::popen((command + " 2>&1").c_str(), "r"),
                                                  &::pclose);
  std::string out;
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0)
    out.append(buffer.data(), n);
  return out;
}

std::vector<std::uint8_t> udp4_frame(std::size_t payload) {
  auto f = ipv4(17, 8 + payload);
  put16(f, 34, 40000);
  put16(f, 36, 9999);
  put16(f, 38, static_cast<std::uint16_t>(8 + payload));
  return f;
}

std::vector<std::uint8_t> tcp4_frame(std::size_t payload) {
  auto f = ipv4(6, 20 + payload);
  put16(f, 34, 40000);
  put16(f, 36, 80);
  f[46] = 0x50;  // data offset 5 words
  return f;
}

std::vector<std::uint8_t> icmp4_frame(std::size_t payload) {
  auto f = ipv4(1, 8 + payload);
  f[34] = 8;  // echo request
  return f;
}

std::vector<std::uint8_t> udp6_frame(std::size_t payload) {
  auto f = ipv6(17, 8 + payload);
  put16(f, 54, 40000);
  put16(f, 56, 9999);
  put16(f, 58, static_cast<std::uint16_t>(8 + payload));
  return f;
}

std::vector<std::uint8_t> icmp6_frame(std::size_t payload) {
  auto f = ipv6(58, 8 + payload);
  f[54] = 128;  // echo request
  return f;
}

std::vector<std::uint8_t> arp_frame() {
  auto f = ethernet(kEthArp, 28);
  put16(f, 14, 1);       // Ethernet
  put16(f, 16, kEthIp);  // IPv4
  f[18] = 6;
  f[19] = 4;
  put16(f, 20, 1);  // request
  return f;
}

}  // namespace observo::bpftest

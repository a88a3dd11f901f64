#include "sources/netprobe/rtnetlink.h"

#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "netprobe_abi.h"

namespace observo::netprobe {
namespace {

constexpr std::size_t kReceiveBuffer = 64 * 1024;
constexpr std::size_t kAlignTo = 4;  // NLMSG_ALIGNTO and RTA_ALIGNTO
constexpr std::size_t align(std::size_t n) { return (n + kAlignTo - 1) & ~(kAlignTo - 1); }
constexpr int kDumpAttempts = 3;

// Calls f(type, payload, payload_length) for each attribute in [data, data + length).
template <typename F>
void for_each_attribute(const char* data, std::size_t length, F&& f) {
  std::size_t offset = 0;
  while (length - offset >= sizeof(rtattr)) {
    rtattr attr;
    std::memcpy(&attr, data + offset, sizeof attr);
    if (attr.rta_len < sizeof(rtattr) || attr.rta_len > length - offset) return;
    const std::size_t header = align(sizeof(rtattr));
    if (attr.rta_len < header) return;
    f(static_cast<unsigned>(attr.rta_type & NLA_TYPE_MASK), data + offset + header,
      attr.rta_len - header);
    offset += align(attr.rta_len);
    if (offset > length) return;
  }
}

// Calls f(header) for each complete message in [data, data + length).
template <typename F>
void for_each_message(const char* data, std::size_t length, F&& f) {
  std::size_t offset = 0;
  while (length - offset >= sizeof(nlmsghdr)) {
    const auto* header = reinterpret_cast<const nlmsghdr*>(data + offset);
    if (header->nlmsg_len < sizeof(nlmsghdr) || header->nlmsg_len > length - offset) return;
    if (!f(header)) return;
    offset += align(header->nlmsg_len);
    if (offset > length) return;
  }
}

std::string attribute_string(const char* data, std::size_t length) {
  return std::string(data, ::strnlen(data, length));
}

std::uint32_t attribute_u32(const char* data, std::size_t length) {
  std::uint32_t value = 0;
  if (length >= sizeof value) std::memcpy(&value, data, sizeof value);
  return value;
}

std::uint32_t clsact_parent(Hook hook) {
  return TC_H_MAKE(TC_H_CLSACT, hook == Hook::kIngress ? TC_H_MIN_INGRESS : TC_H_MIN_EGRESS);
}

}  // namespace

std::string_view hook_name(Hook hook) { return hook == Hook::kIngress ? "ingress" : "egress"; }

std::uint32_t l2_header_length(std::uint16_t arphrd_type) {
  switch (arphrd_type) {
    case ARPHRD_ETHER:
    case ARPHRD_LOOPBACK:
      return ETH_HLEN;
    case ARPHRD_NONE:
      return 0;
    default:
      return NETPROBE_L2_UNKNOWN;
  }
}

std::optional<LinkEvent> parse_link_message(const nlmsghdr* header, std::size_t length) {
  if (header == nullptr || length < sizeof(nlmsghdr) || header->nlmsg_len > length) {
    return std::nullopt;
  }
  if (header->nlmsg_type != RTM_NEWLINK && header->nlmsg_type != RTM_DELLINK) return std::nullopt;
  const std::size_t fixed = align(sizeof(nlmsghdr)) + align(sizeof(ifinfomsg));
  if (header->nlmsg_len < align(sizeof(nlmsghdr)) + sizeof(ifinfomsg)) return std::nullopt;
  const char* base = reinterpret_cast<const char*>(header);
  ifinfomsg info;
  std::memcpy(&info, base + align(sizeof(nlmsghdr)), sizeof info);
  if (info.ifi_index <= 0) return std::nullopt;

  LinkEvent event;
  event.kind = header->nlmsg_type == RTM_NEWLINK ? LinkEventKind::kNew : LinkEventKind::kDel;
  event.link.ifindex = static_cast<std::uint32_t>(info.ifi_index);
  event.link.flags = info.ifi_flags;
  event.link.type = info.ifi_type;
  if (header->nlmsg_len > fixed) {
    for_each_attribute(base + fixed, header->nlmsg_len - fixed,
                       [&event](unsigned type, const char* data, std::size_t size) {
                         if (type == IFLA_IFNAME) event.link.name = attribute_string(data, size);
                       });
  }
  return event;
}

std::optional<FilterInfo> parse_filter_message(const nlmsghdr* header, std::size_t length) {
  if (header == nullptr || length < sizeof(nlmsghdr) || header->nlmsg_len > length) {
    return std::nullopt;
  }
  if (header->nlmsg_type != RTM_NEWTFILTER) return std::nullopt;
  if (header->nlmsg_len < align(sizeof(nlmsghdr)) + sizeof(tcmsg)) return std::nullopt;
  const char* base = reinterpret_cast<const char*>(header);
  tcmsg tc;
  std::memcpy(&tc, base + align(sizeof(nlmsghdr)), sizeof tc);

  FilterInfo filter;
  filter.handle = tc.tcm_handle;
  filter.priority = static_cast<std::uint16_t>(TC_H_MAJ(tc.tcm_info) >> 16);
  filter.protocol = ntohs(static_cast<std::uint16_t>(TC_H_MIN(tc.tcm_info)));
  const std::size_t fixed = align(sizeof(nlmsghdr)) + align(sizeof(tcmsg));
  if (header->nlmsg_len <= fixed) return filter;
  for_each_attribute(base + fixed, header->nlmsg_len - fixed,
                     [&filter](unsigned type, const char* data, std::size_t size) {
                       if (type == TCA_KIND) {
                         filter.kind = attribute_string(data, size);
                       } else if (type == TCA_OPTIONS) {
                         for_each_attribute(
                             data, size, [&filter](unsigned inner, const char* d, std::size_t n) {
                               if (inner == TCA_BPF_NAME) filter.bpf_name = attribute_string(d, n);
                               if (inner == TCA_BPF_ID) filter.bpf_prog_id = attribute_u32(d, n);
                             });
                       }
                     });
  // TCA_OPTIONS of another classifier kind means something else: keep only bpf's.
  if (filter.kind != "bpf") {
    filter.bpf_name.clear();
    filter.bpf_prog_id = 0;
  }
  return filter;
}

std::string bpf_filter_program(const std::string& bpf_name) {
  const auto end = bpf_name.find(":[");
  return end == std::string::npos ? bpf_name : bpf_name.substr(0, end);
}

SysResult<NetlinkSocket> NetlinkSocket::open(std::uint32_t groups, bool nonblocking,
                                             int receive_buffer) {
  int type = SOCK_RAW | SOCK_CLOEXEC;
  if (nonblocking) type |= SOCK_NONBLOCK;
  UniqueFd fd(::socket(AF_NETLINK, type, NETLINK_ROUTE));
  if (!fd.valid()) return sys_error(errno, "socket(AF_NETLINK, NETLINK_ROUTE)");

  if (receive_buffer > 0) {
    // Room for bursts of link events; FORCE needs CAP_NET_ADMIN, the plain form is capped.
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer,
                     sizeof receive_buffer) != 0) {
      ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
  }
  if (!nonblocking) {
    timeval timeout{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = groups;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return sys_error(errno, "bind(AF_NETLINK)");
  }
  socklen_t size = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    return sys_error(errno, "getsockname(AF_NETLINK)");
  }
  NetlinkSocket socket(std::move(fd));
  socket.port_id_ = address.nl_pid;
  return socket;
}

SysStatus NetlinkSocket::request(nlmsghdr* request,
                                 const std::function<void(const nlmsghdr*)>& on_message,
                                 const std::string& context) {
  request->nlmsg_seq = ++seq_;
  request->nlmsg_pid = 0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = ::sendto(fd_.get(), request, request->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return sys_error(errno, context + ": sendto");

  alignas(nlmsghdr) static thread_local std::array<char, kReceiveBuffer> buffer;
  bool done = false;
  bool interrupted = false;
  int kernel_error = 0;
  while (!done) {
    const ssize_t received = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno == EAGAIN ? ETIMEDOUT : errno, context + ": recv");
    }
    if (received == 0) return sys_error(EPIPE, context + ": recv");
    for_each_message(
        buffer.data(), static_cast<std::size_t>(received), [&](const nlmsghdr* header) {
          if (header->nlmsg_seq != seq_ || header->nlmsg_pid != port_id_) {
            return true;  // a late reply to an earlier request
          }
          if (header->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
          if (header->nlmsg_type == NLMSG_DONE) {
            done = true;
            return false;
          }
          if (header->nlmsg_type == NLMSG_ERROR) {
            nlmsgerr error{};
            if (header->nlmsg_len >= align(sizeof(nlmsghdr)) + sizeof error) {
              std::memcpy(&error, reinterpret_cast<const char*>(header) + align(sizeof(nlmsghdr)),
                          sizeof error);
            }
            kernel_error = -error.error;
            done = true;
            return false;
          }
          on_message(header);
          return true;
        });
  }
  if (kernel_error > 0) return sys_error(kernel_error, context);
  if (interrupted) return sys_error(EAGAIN, context + ": dump interrupted by a change");
  return sys_ok();
}

SysStatus NetlinkSocket::read_events(const std::function<void(const nlmsghdr*)>& on_message,
                                     bool* overrun) {
  alignas(nlmsghdr) static thread_local std::array<char, kReceiveBuffer> buffer;
  for (;;) {
    const ssize_t received = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (received < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return sys_ok();
      if (errno == ENOBUFS) {  // the kernel dropped events; later ones are still queued
        *overrun = true;
        continue;
      }
      return sys_error(errno, "recv(rtnetlink events)");
    }
    if (received == 0) return sys_ok();
    for_each_message(buffer.data(), static_cast<std::size_t>(received),
                     [&](const nlmsghdr* header) {
                       on_message(header);
                       return true;
                     });
  }
}

SysResult<std::vector<LinkInfo>> dump_links() {
  auto socket = NetlinkSocket::open(0, false);
  if (!socket) return socket.error();
  struct {
    nlmsghdr header;
    ifinfomsg info;
    rtattr mask_attr;
    std::uint32_t mask;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = RTM_GETLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.info.ifi_family = AF_UNSPEC;
  request.mask_attr.rta_len = sizeof(rtattr) + sizeof(std::uint32_t);
  request.mask_attr.rta_type = IFLA_EXT_MASK;
  request.mask = RTEXT_FILTER_SKIP_STATS;

  SysError last{};
  for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
    std::vector<LinkInfo> links;
    auto status = socket->request(
        &request.header,
        [&links](const nlmsghdr* header) {
          if (auto event = parse_link_message(header, header->nlmsg_len)) {
            if (event->kind == LinkEventKind::kNew) links.push_back(std::move(event->link));
          }
        },
        "RTM_GETLINK dump");
    if (status) return links;
    last = status.error();
    if (last.err != EAGAIN) break;
  }
  return last;
}

SysResult<std::vector<FilterInfo>> dump_filters(std::uint32_t ifindex, Hook hook) {
  auto socket = NetlinkSocket::open(0, false);
  if (!socket) return socket.error();
  struct {
    nlmsghdr header;
    tcmsg tc;
  } request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = RTM_GETTFILTER;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.tc.tcm_family = AF_UNSPEC;
  request.tc.tcm_ifindex = static_cast<int>(ifindex);
  request.tc.tcm_parent = clsact_parent(hook);

  const auto context = "RTM_GETTFILTER dump of ifindex " + std::to_string(ifindex) + " " +
                       std::string(hook_name(hook));
  SysError last{};
  for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
    std::vector<FilterInfo> filters;
    auto status = socket->request(
        &request.header,
        [&filters](const nlmsghdr* header) {
          if (auto filter = parse_filter_message(header, header->nlmsg_len)) {
            filters.push_back(std::move(*filter));
          }
        },
        context);
    if (status) return filters;
    last = status.error();
    if (last.err != EAGAIN) break;
  }
  return last;
}

}  // namespace observo::netprobe

// Minimal rtnetlink client: link dumps and link events (RTMGRP_LINK), and TC filter dumps.
//
// libbpf's bpf_tc_* calls cover create/attach/detach/query of one known filter but cannot list
// filters; netprobe needs a listing to recognise its own filter left by a killed run (by the
// "<program>:[<id>]" name), to refuse a slot taken by another tool, and to remove a clsact qdisc
// only when it holds nothing else. Messages are parsed by hand (no libmnl/libnl dependency), with
// every length checked: nothing a kernel sends can make observo read out of bounds.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sources/netprobe/sys_error.h"

namespace observo::netprobe {

enum class Hook { kIngress, kEgress };
std::string_view hook_name(Hook hook);  // "ingress", "egress"

struct LinkInfo {
  std::uint32_t ifindex = 0;
  std::string name;
  unsigned flags = 0;      // IFF_*
  std::uint16_t type = 0;  // ARPHRD_*
  friend bool operator==(const LinkInfo&, const LinkInfo&) = default;
};

enum class LinkEventKind { kNew, kDel };
struct LinkEvent {
  LinkEventKind kind = LinkEventKind::kNew;
  LinkInfo link;
};

// One TC filter as RTM_GETTFILTER reports it. A dump also reports each filter "chain head"
// (handle 0, no options) before its filters.
struct FilterInfo {
  std::uint32_t handle = 0;
  std::uint16_t priority = 0;
  std::uint16_t protocol = 0;  // host order, ETH_P_*
  std::string kind;            // "bpf", "u32", ...
  std::string bpf_name;        // TCA_BPF_NAME, e.g. "observo_ingress:[42]"
  std::uint32_t bpf_prog_id = 0;
};

// Length of the header in front of the network header at the TC hooks for a link type: 14 for
// Ethernet and loopback, 0 for header-less L3 devices (tun, wireguard); NETPROBE_L2_UNKNOWN
// (0xffffffff) for the rest, where the programs locate the network header with a helper.
std::uint32_t l2_header_length(std::uint16_t arphrd_type);

// Parses one RTM_NEWLINK / RTM_DELLINK message; nullopt for anything else or a malformed one.
std::optional<LinkEvent> parse_link_message(const nlmsghdr* header, std::size_t length);
// Parses one RTM_NEWTFILTER message; nullopt for anything else or a malformed one.
std::optional<FilterInfo> parse_filter_message(const nlmsghdr* header, std::size_t length);

// "observo_ingress:[42]" -> "observo_ingress" (the text before ":[").
std::string bpf_filter_program(const std::string& bpf_name);

class NetlinkSocket {
 public:
  // A NETLINK_ROUTE socket; `groups` subscribes to multicast groups (RTMGRP_*), `nonblocking`
  // for the event socket (with `receive_buffer` bytes when > 0). Blocking sockets get a receive
  // timeout, so a request never hangs.
  static SysResult<NetlinkSocket> open(std::uint32_t groups, bool nonblocking,
                                       int receive_buffer = 0);

  int fd() const { return fd_.get(); }

  // Sends `request` (its nlmsg_seq is set here) and calls `on_message` for every reply until
  // NLMSG_DONE (dumps) or the ACK (other requests). A kernel NLMSG_ERROR becomes a SysError.
  SysStatus request(nlmsghdr* request, const std::function<void(const nlmsghdr*)>& on_message,
                    const std::string& context);

  // Event sockets: reads what is queued without blocking. Returns false with *overrun set when
  // the kernel dropped events (ENOBUFS): the caller must resynchronise with a dump.
  SysStatus read_events(const std::function<void(const nlmsghdr*)>& on_message, bool* overrun);

 private:
  explicit NetlinkSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  std::uint32_t seq_ = 0;
  std::uint32_t port_id_ = 0;
};

// Every link of this network namespace (RTM_GETLINK dump).
SysResult<std::vector<LinkInfo>> dump_links();

// Every filter on one clsact hook of one interface (RTM_GETTFILTER dump). An interface without a
// clsact qdisc, and one that does not exist, have no filters (an empty list).
SysResult<std::vector<FilterInfo>> dump_filters(std::uint32_t ifindex, Hook hook);

}  // namespace observo::netprobe

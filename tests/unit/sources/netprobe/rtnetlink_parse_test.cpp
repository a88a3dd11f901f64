// rtnetlink parsing with hand-built messages: link events (new, delete, rename) and TC filter
// dump entries, and that truncated or lying lengths never read past the message.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <string>
#include <vector>

#include "sources/netprobe/rtnetlink.h"

namespace observo::netprobe {
namespace {

std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// Builds one netlink message: header, fixed part, attributes.
class Message {
 public:
  Message(std::uint16_t type, const void* fixed, std::size_t fixed_size) {
    bytes_.resize(align4(sizeof(nlmsghdr)));
    append(fixed, fixed_size);
    header().nlmsg_type = type;
  }
  Message& attr(std::uint16_t type, const void* data, std::size_t size) {
    rtattr a{};
    a.rta_len = static_cast<std::uint16_t>(sizeof(rtattr) + size);
    a.rta_type = type;
    append(&a, sizeof a);
    append(data, size);
    return *this;
  }
  Message& attr(std::uint16_t type, const std::string& text) {
    return attr(type, text.c_str(), text.size() + 1);
  }
  Message& nested(std::uint16_t type, const Message& inner_attrs_only) {
    const auto& inner = inner_attrs_only.payload_after(inner_attrs_only.fixed_end_);
    return attr(type, inner.data(), inner.size());
  }
  const nlmsghdr* get() {
    header().nlmsg_len = static_cast<std::uint32_t>(bytes_.size());
    return reinterpret_cast<const nlmsghdr*>(bytes_.data());
  }
  std::size_t size() const { return bytes_.size(); }
  void set_fixed_end() { fixed_end_ = bytes_.size(); }

 private:
  nlmsghdr& header() { return *reinterpret_cast<nlmsghdr*>(bytes_.data()); }
  void append(const void* data, std::size_t size) {
    if (size == 0) return;
    const auto at = bytes_.size();
    bytes_.resize(align4(at + size));
    std::memcpy(bytes_.data() + at, data, size);
  }
  std::vector<char> payload_after(std::size_t offset) const {
    return std::vector<char>(bytes_.begin() + static_cast<long>(offset), bytes_.end());
  }
  std::vector<char> bytes_;  // operator new storage: aligned for nlmsghdr
  std::size_t fixed_end_ = 0;
};

Message link_message(std::uint16_t type, int ifindex, unsigned flags,
                     std::uint16_t link_type = ARPHRD_ETHER) {
  ifinfomsg info{};
  info.ifi_index = ifindex;
  info.ifi_flags = flags;
  info.ifi_type = link_type;
  return Message(type, &info, sizeof info);
}

TEST(NetprobeRtnetlink, ParsesNewLinkWithName) {
  auto message = link_message(RTM_NEWLINK, 7, IFF_UP, ARPHRD_ETHER);
  std::uint32_t mtu = 1500;
  message.attr(IFLA_MTU, &mtu, sizeof mtu).attr(IFLA_IFNAME, std::string("veth-a1"));
  const auto event = parse_link_message(message.get(), message.size());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, LinkEventKind::kNew);
  EXPECT_EQ(event->link.ifindex, 7u);
  EXPECT_EQ(event->link.name, "veth-a1");
  EXPECT_EQ(event->link.flags, static_cast<unsigned>(IFF_UP));
  EXPECT_EQ(event->link.type, ARPHRD_ETHER);
}

TEST(NetprobeRtnetlink, L2HeaderLengthByLinkType) {
  EXPECT_EQ(l2_header_length(ARPHRD_ETHER), 14u);
  EXPECT_EQ(l2_header_length(ARPHRD_LOOPBACK), 14u);
  EXPECT_EQ(l2_header_length(ARPHRD_NONE), 0u);  // wireguard, tun
  EXPECT_EQ(l2_header_length(ARPHRD_IPGRE), 0xffffffffu);
  EXPECT_EQ(l2_header_length(ARPHRD_INFINIBAND), 0xffffffffu);
}

TEST(NetprobeRtnetlink, ParsesDelLink) {
  auto message = link_message(RTM_DELLINK, 12, 0);
  message.attr(IFLA_IFNAME, std::string("gone0"));
  const auto event = parse_link_message(message.get(), message.size());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, LinkEventKind::kDel);
  EXPECT_EQ(event->link.ifindex, 12u);
  EXPECT_EQ(event->link.name, "gone0");
}

TEST(NetprobeRtnetlink, IgnoresOtherMessagesAndBadIndexes) {
  auto address = link_message(RTM_NEWADDR, 3, 0);
  EXPECT_FALSE(parse_link_message(address.get(), address.size()).has_value());
  auto zero = link_message(RTM_NEWLINK, 0, 0);
  EXPECT_FALSE(parse_link_message(zero.get(), zero.size()).has_value());
  EXPECT_FALSE(parse_link_message(nullptr, 0).has_value());
}

TEST(NetprobeRtnetlink, NameWithoutTerminatorAndTruncatedAttributes) {
  auto message = link_message(RTM_NEWLINK, 4, 0);
  message.attr(IFLA_IFNAME, "eth9", 4);  // no NUL
  const auto event = parse_link_message(message.get(), message.size());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->link.name, "eth9");

  // An attribute claiming more bytes than the message has is ignored, not read.
  auto lying = link_message(RTM_NEWLINK, 5, 0);
  lying.attr(IFLA_IFNAME, std::string("ok0"));
  auto* header = const_cast<nlmsghdr*>(lying.get());
  auto* attr = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(header) +
                                         align4(sizeof(nlmsghdr)) + align4(sizeof(ifinfomsg)));
  attr->rta_len = 4000;
  const auto parsed = parse_link_message(header, lying.size());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->link.name, "");

  // A header longer than the buffer is rejected.
  header->nlmsg_len = 4096;
  EXPECT_FALSE(parse_link_message(header, lying.size()).has_value());
}

TEST(NetprobeRtnetlink, ParsesABpfFilterDumpEntry) {
  tcmsg tc{};
  tc.tcm_handle = 0x4f42;
  tc.tcm_info = TC_H_MAKE(1u << 16, htons(ETH_P_ALL));
  Message options(0, nullptr, 0);
  options.set_fixed_end();
  std::uint32_t id = 108;
  options.attr(TCA_BPF_NAME, std::string("observo_ingress:[108]")).attr(TCA_BPF_ID, &id, sizeof id);
  Message message(RTM_NEWTFILTER, &tc, sizeof tc);
  message.attr(TCA_KIND, std::string("bpf")).nested(TCA_OPTIONS, options);

  const auto filter = parse_filter_message(message.get(), message.size());
  ASSERT_TRUE(filter.has_value());
  EXPECT_EQ(filter->handle, 0x4f42u);
  EXPECT_EQ(filter->priority, 1);
  EXPECT_EQ(filter->protocol, ETH_P_ALL);
  EXPECT_EQ(filter->kind, "bpf");
  EXPECT_EQ(filter->bpf_name, "observo_ingress:[108]");
  EXPECT_EQ(filter->bpf_prog_id, 108u);
  EXPECT_EQ(bpf_filter_program(filter->bpf_name), "observo_ingress");
}

TEST(NetprobeRtnetlink, ForeignFilterKeepsNoBpfFields) {
  tcmsg tc{};
  tc.tcm_handle = 0x800;
  tc.tcm_info = TC_H_MAKE(100u << 16, htons(ETH_P_IP));
  Message message(RTM_NEWTFILTER, &tc, sizeof tc);
  message.attr(TCA_KIND, std::string("u32"));
  const auto filter = parse_filter_message(message.get(), message.size());
  ASSERT_TRUE(filter.has_value());
  EXPECT_EQ(filter->kind, "u32");
  EXPECT_EQ(filter->priority, 100);
  EXPECT_EQ(filter->protocol, ETH_P_IP);
  EXPECT_TRUE(filter->bpf_name.empty());
  EXPECT_EQ(bpf_filter_program("cil_from_netdev"), "cil_from_netdev");
}

}  // namespace
}  // namespace observo::netprobe

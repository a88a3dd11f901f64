// SPDX-License-Identifier: GPL-2.0
/* netprobe's TC classifiers: count packets and bytes per (interface, direction[, L4 protocol]).
 *
 * Two programs, one per clsact hook, share one always-inlined body with the direction as a
 * constant (a program cannot tell which hook it runs on). They return TC_ACT_UNSPEC ("no
 * verdict"): the packet goes on to the next filter on the hook exactly as if observo were not
 * there, so they never change forwarding and never cut off another tool's filters (Cilium,
 * Beyla). Keys and values are defined in netprobe_abi.h, the one header shared with userspace.
 */
#include "vmlinux.h"

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "netprobe_abi.h"

/* vmlinux.h carries types, not macros. */
#define TC_ACT_UNSPEC (-1)
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define NP_IPPROTO_ICMP 1
#define NP_IPPROTO_TCP 6
#define NP_IPPROTO_UDP 17
#define NP_IPPROTO_ICMPV6 58

_Static_assert(sizeof(struct netprobe_key) == 8, "netprobe_key layout");
_Static_assert(sizeof(struct netprobe_value) == 16, "netprobe_value layout");
_Static_assert(sizeof(struct netprobe_owner) == 8, "netprobe_owner layout");

/* Set by userspace before load (skeleton rodata); the verifier prunes the branch not taken. */
const volatile __u8 cfg_by_protocol = 0;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, NETPROBE_MAX_ENTRIES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct netprobe_key);
  __type(value, struct netprobe_value);
} np_counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, NETPROBE_FAST_SLOTS);
  __type(key, __u32);
  __type(value, struct netprobe_owner);
} np_owner SEC(".maps");

/* Sized by userspace before load: NETPROBE_FAST_SLOTS * netprobe_fast_stride(by_protocol). */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NETPROBE_FAST_SLOTS* NETPROBE_DIR_COUNT* NETPROBE_FAST_PROTOCOLS);
  __type(key, __u32);
  __type(value, struct netprobe_value);
} np_fast SEC(".maps");

static __always_inline __u8 l4_class(__u8 l4) {
  switch (l4) {
    case NP_IPPROTO_TCP:
      return NETPROBE_PROTO_TCP;
    case NP_IPPROTO_UDP:
      return NETPROBE_PROTO_UDP;
    case NP_IPPROTO_ICMP:
    case NP_IPPROTO_ICMPV6:
      return NETPROBE_PROTO_ICMP;
    default:
      return NETPROBE_PROTO_OTHER;
  }
}

/* `l2_len`: where the network header starts in the packet data (the hooks see the packet from
 * its MAC header), or NETPROBE_L2_UNKNOWN. */
static __always_inline __u8 classify(struct __sk_buff* skb, __u32 l2_len) {
  __u32 offset; /* of the protocol / next header byte in the network header */
  if (skb->protocol == bpf_htons(ETH_P_IP)) {
    offset = 9;
  } else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
    offset = 6;
  } else {
    return NETPROBE_PROTO_OTHER;
  }
  if (l2_len <= NETPROBE_L2_MAX) {
    /* Direct packet access: no helper call. */
    void* data = (void*)(long)skb->data;
    void* data_end = (void*)(long)skb->data_end;
    __u8* l4 = (__u8*)data + l2_len + offset;
    if ((void*)(l4 + 1) <= data_end) return l4_class(*l4);
  }
  __u8 l4 = 0;
  if (bpf_skb_load_bytes_relative(skb, offset, &l4, 1, BPF_HDR_START_NET)) {
    return NETPROBE_PROTO_OTHER;
  }
  return l4_class(l4);
}

static __always_inline int count(struct __sk_buff* skb, __u8 direction) {
  struct netprobe_key key = {
      .ifindex = skb->ifindex,
      .direction = direction,
      .protocol = NETPROBE_PROTO_ALL,
      .pad = 0,
  };
  /* GSO/GRO super-packets count as the wire segments they stand for. */
  __u32 segs = skb->gso_segs;
  __u64 packets = segs > 1 ? segs : 1;
  __u64 bytes = skb->len;

  /* Fast path: the interface owns its array slot. */
  __u32 slot = netprobe_fast_slot(key.ifindex);
  struct netprobe_owner* owner = bpf_map_lookup_elem(&np_owner, &slot);
  if (owner && owner->ifindex == key.ifindex) {
    if (cfg_by_protocol) key.protocol = classify(skb, owner->l2_len);
    __u32 index = netprobe_fast_index(slot, direction, key.protocol, cfg_by_protocol);
    struct netprobe_value* fast = bpf_map_lookup_elem(&np_fast, &index);
    if (fast) {
      /* Per-CPU slot, softirq context: no other writer, plain adds are enough. */
      fast->packets += packets;
      fast->bytes += bytes;
      return TC_ACT_UNSPEC;
    }
  } else if (cfg_by_protocol) {
    key.protocol = classify(skb, NETPROBE_L2_UNKNOWN);
  }

  struct netprobe_value* value = bpf_map_lookup_elem(&np_counters, &key);
  if (value) {
    value->packets += packets;
    value->bytes += bytes;
    return TC_ACT_UNSPEC;
  }
  /* Userspace pre-creates the keys of every interface on the fallback path, so this is rare (an
   * insert that failed with ENOMEM, a key removed while a packet was in flight). */
  struct netprobe_value init = {.packets = packets, .bytes = bytes};
  if (bpf_map_update_elem(&np_counters, &key, &init, BPF_NOEXIST) != 0) {
    /* Lost the insert race against another CPU (or the map is full): add to the winner. */
    value = bpf_map_lookup_elem(&np_counters, &key);
    if (value) {
      value->packets += packets;
      value->bytes += bytes;
    }
  }
  return TC_ACT_UNSPEC;
}

SEC("tc")
int observo_ingress(struct __sk_buff* skb) { return count(skb, NETPROBE_DIR_INGRESS); }

SEC("tc")
int observo_egress(struct __sk_buff* skb) { return count(skb, NETPROBE_DIR_EGRESS); }

char LICENSE[] SEC("license") = "GPL";

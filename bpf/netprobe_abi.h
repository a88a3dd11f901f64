/* The whole ABI between netprobe's TC programs (bpf/netprobe.bpf.c) and observo's userspace
 * (src/sources/netprobe/): map key and value layouts, direction and protocol codes, program and
 * map names. Both sides include this one header, so a layout change is one edit that both
 * compilers see; userspace static_asserts the sizes.
 *
 * Plain C with fixed-width kernel types: the BPF side gets __u8..__u64 from vmlinux.h, userspace
 * from <linux/types.h>.
 */
#ifndef OBSERVO_BPF_NETPROBE_ABI_H
#define OBSERVO_BPF_NETPROBE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* struct netprobe_key.direction */
#define NETPROBE_DIR_INGRESS 0
#define NETPROBE_DIR_EGRESS 1
#define NETPROBE_DIR_COUNT 2

/* struct netprobe_key.protocol. Without the protocol breakdown (rodata cfg_by_protocol == 0) every
 * packet is counted under NETPROBE_PROTO_ALL; with it, under one of TCP..OTHER and userspace sums
 * them for the per-interface totals. ICMP covers ICMPv4 and ICMPv6; IPv6 packets whose first next
 * header is an extension header, and every non-IP packet (ARP, LLDP...), count as OTHER. */
#define NETPROBE_PROTO_ALL 0
#define NETPROBE_PROTO_TCP 1
#define NETPROBE_PROTO_UDP 2
#define NETPROBE_PROTO_ICMP 3
#define NETPROBE_PROTO_OTHER 4
#define NETPROBE_PROTO_COUNT 5

/* Key of the counters map. `pad` is always 0: the hash map compares all 8 bytes. */
struct netprobe_key {
  __u32 ifindex;
  __u8 direction;
  __u8 protocol;
  __u16 pad;
};

/* Value of the counters map, one per possible CPU (PERCPU_HASH): userspace sums the slots.
 * packets counts wire segments (max(1, gso_segs)) and bytes counts skb->len, which includes the
 * L2 (Ethernet) header and excludes the FCS, the preamble and hardware-offloaded VLAN tags. */
struct netprobe_value {
  __u64 packets;
  __u64 bytes;
};

/* Two places hold counters:
 *
 * Fast path, np_owner + np_fast: an interface owns slot (ifindex % NETPROBE_FAST_SLOTS) when that
 * slot is free at attach time. np_owner[slot] holds the owning ifindex (0 = free) and np_fast, a
 * PERCPU_ARRAY, its values at netprobe_fast_index(). Array lookups are inlined by the verifier, so
 * this path costs a few ns per packet where a hash lookup costs ~20 ns.
 *
 * Fallback, np_counters: a PERCPU_HASH keyed by struct netprobe_key, for interfaces whose slot is
 * taken (ifindex collision) or not yet claimed. Not preallocated (BPF_F_NO_PREALLOC): only keys
 * that exist take memory. Userspace creates the zeroed keys of such an interface before
 * attaching to it; the programs insert a missing key themselves.
 *
 * Userspace zeroes a slot's values before publishing its owner, and reads both maps. */
#define NETPROBE_MAX_ENTRIES 65536
#define NETPROBE_FAST_SLOTS 1024  /* a power of two */
#define NETPROBE_FAST_PROTOCOLS 4 /* TCP..OTHER, with the protocol breakdown */

/* np_owner value: the interface owning a fast-path slot, and the length of its L2 header at the
 * TC hooks (14 for Ethernet and loopback, 0 for L3 devices such as wireguard), which lets the
 * protocol breakdown read the IP header directly. NETPROBE_L2_UNKNOWN: locate the network header
 * with bpf_skb_load_bytes_relative() instead. */
struct netprobe_owner {
  __u32 ifindex;
  __u32 l2_len;
};
#define NETPROBE_L2_UNKNOWN 0xffffffffu
#define NETPROBE_L2_MAX 64

static inline __u32 netprobe_fast_slot(__u32 ifindex) {
  return ifindex & (NETPROBE_FAST_SLOTS - 1);
}

/* Values per slot: one per direction, or one per direction and protocol with the breakdown. */
static inline __u32 netprobe_fast_stride(__u32 by_protocol) {
  return NETPROBE_DIR_COUNT * (by_protocol ? NETPROBE_FAST_PROTOCOLS : 1);
}

static inline __u32 netprobe_fast_index(__u32 slot, __u32 direction, __u32 protocol,
                                        __u32 by_protocol) {
  if (!by_protocol) return slot * NETPROBE_DIR_COUNT + direction;
  return (slot * NETPROBE_DIR_COUNT + direction) * NETPROBE_FAST_PROTOCOLS +
         (protocol - NETPROBE_PROTO_TCP);
}

/* Object names as the kernel stores them (at most 15 characters). `tc filter show` prints a
 * filter as "<program name>:[<program id>]", which is how observo's filters are recognised. */
#define NETPROBE_PROG_INGRESS "observo_ingress"
#define NETPROBE_PROG_EGRESS "observo_egress"
#define NETPROBE_MAP_COUNTERS "np_counters"
#define NETPROBE_MAP_OWNER "np_owner"
#define NETPROBE_MAP_FAST "np_fast"

#endif /* OBSERVO_BPF_NETPROBE_ABI_H */

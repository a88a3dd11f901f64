#!/usr/bin/env bash
# Coexistence with another tool's TC filters, through the real binary:
#  - a0 already has a clsact qdisc with a foreign u32 filter (prio 100) that mirrors every
#    ingress packet to m0. observo attaches next to it (prio 1, "no verdict"), so the foreign
#    filter still sees every packet: m0's TX counter grows by exactly N while observo counts N.
#  - d0 has a foreign u32 filter at observo's own priority: attach fails as a "conflict",
#    counted and logged; that filter is untouched and other interfaces are still attached.
#  - After a clean shutdown: no observo filter anywhere, the foreign filters and their qdiscs
#    are still there and still working, and c0's qdisc (created by observo) is gone.
source "$(dirname "$0")/lib.bash"

ns_setup
veth_pair a0 b0 "10.$NET.0"
veth_pair c0 c1 "10.$((NET + 1)).0"
veth_pair d0 d1 "10.$((NET + 2)).0"
ip -n "$NS_A" link add name m0 type veth peer name m1
ip -n "$NS_A" link set m0 up
ip -n "$NS_A" link set m1 up

tc -n "$NS_A" qdisc add dev a0 clsact
tc -n "$NS_A" filter add dev a0 ingress prio 100 protocol all u32 match u32 0 0 \
  action mirred egress mirror dev m0
tc -n "$NS_A" qdisc add dev d0 clsact
tc -n "$NS_A" filter add dev d0 ingress prio 1 protocol ip u32 match u32 0 0
FOREIGN_A=$(tc -n "$NS_A" filter show dev a0 ingress)
FOREIGN_D=$(tc -n "$NS_A" filter show dev d0 ingress)

tx_packets() {
  ip -n "$NS_A" -s -j link show "$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["packets"])'
}

write_config "$WORK/observo.yaml" "interfaces:" '  include: ["a0", "c0", "d0"]'
start_observo observo "$WORK/observo.yaml"
wait_metric netprobe_attached_interfaces 2
wait_metric netprobe_up 1
wait_metric 'netprobe_attach_errors_total{reason="conflict"}' 1
grep -q 'cannot attach to d0.*priority 1 on d0 (ifindex [0-9]*) ingress is used by a u32 filter of another tool' \
  "$WORK/observo.log" || fail "no conflict log line for d0"
[ "$(tc -n "$NS_A" filter show dev d0 ingress)" = "$FOREIGN_D" ] || fail "d0's foreign filter changed"
[ "$(observo_filters "$NS_A" d0 egress)" = 0 ] || fail "half-attached to d0"
tc -n "$NS_A" filter show dev a0 ingress | grep -q 'pref 100 u32' || fail "a0's u32 filter is gone"
[ "$(observo_filters "$NS_A" a0 ingress)" = 1 ] || fail "observo not attached to a0 ingress"

IDX=$(ifindex_of "$NS_A" a0)
sink "$NS_A" "10.$NET.0.1" 9998
sleep 0.2
before=$(tx_packets m0)
send "$NS_B" "10.$NET.0.2" "10.$NET.0.1" 9998 40 200
wait_metric "netprobe_tc_packets_total{direction=\"ingress\",ifindex=\"$IDX\",interface=\"a0\"}" 40
wait_metric "netprobe_tc_bytes_total{direction=\"ingress\",ifindex=\"$IDX\",interface=\"a0\"}" $((40 * 242))
after=$(tx_packets m0)
[ $((after - before)) = 40 ] || fail "the foreign filter mirrored $((after - before)) packets while observo ran, want 40"

stop_observo
for dev in a0 c0 d0; do
  for hook in ingress egress; do
    [ "$(observo_filters "$NS_A" "$dev" "$hook")" = 0 ] || fail "observo filter left on $dev $hook"
  done
done
[ "$(tc -n "$NS_A" filter show dev a0 ingress)" = "$FOREIGN_A" ] ||
  fail "a0's foreign filter changed: $(tc -n "$NS_A" filter show dev a0 ingress)"
[ "$(tc -n "$NS_A" filter show dev d0 ingress)" = "$FOREIGN_D" ] || fail "d0's foreign filter changed"
has_clsact "$NS_A" a0 || fail "a0's clsact qdisc (not observo's) was removed"
has_clsact "$NS_A" d0 || fail "d0's clsact qdisc (not observo's) was removed"
has_clsact "$NS_A" c0 && fail "c0's clsact qdisc (observo's) was left behind"

before=$(tx_packets m0)
send "$NS_B" "10.$NET.0.2" "10.$NET.0.1" 9998 15 200
for _ in $(seq 1 50); do
  [ $(($(tx_packets m0) - before)) = 15 ] && break
  sleep 0.05
done
[ $(($(tx_packets m0) - before)) = 15 ] || fail "the foreign filter stopped working after observo exited"
echo "PASS"

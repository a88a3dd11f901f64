#!/usr/bin/env bash
# Hot-plug through the real binary: an interface created after start is attached within two
# collect intervals and counts exactly; renames relabel its series; renaming to an excluded
# name detaches it; deleting it makes its series disappear.
source "$(dirname "$0")/lib.bash"

ns_setup
veth_pair a0 b0 "10.$NET.0"
write_config "$WORK/observo.yaml" "interfaces:" '  include: ["a0", "h*"]' '  exclude: ["hx*"]'
start_observo observo "$WORK/observo.yaml"
wait_metric netprobe_attached_interfaces 1

# Two intervals (2 x 200 ms) plus 0.5 s for process scheduling on a loaded CI machine.
DEADLINE_MS=900
started=$(date +%s%N)
ip -n "$NS_A" link add name h0 type veth peer name hb0 netns "$NS_B"
H0=$(ifindex_of "$NS_A" h0)
series="netprobe_tc_packets_total{direction=\"ingress\",ifindex=\"$H0\",interface=\"h0\"}"
until [ "$(metric "$series")" = 0 ]; do
  elapsed=$((($(date +%s%N) - started) / 1000000))
  [ "$elapsed" -le 5000 ] || fail "h0 not exported 5 s after it appeared"
  sleep 0.02
done
elapsed=$((($(date +%s%N) - started) / 1000000))
[ "$elapsed" -le "$DEADLINE_MS" ] || fail "h0 exported after ${elapsed} ms (limit ${DEADLINE_MS} ms)"
echo "h0 attached and exported ${elapsed} ms after it was created"
[ "$(observo_filters "$NS_A" h0 ingress)" = 1 ] || fail "no observo filter on h0 ingress"
wait_metric netprobe_attached_interfaces 2

# Now give h0 addresses and static neighbours (it was attached while still down).
ip -n "$NS_A" addr add "10.$((NET + 1)).0.1/24" dev h0
ip -n "$NS_B" addr add "10.$((NET + 1)).0.2/24" dev hb0
ip -n "$NS_A" link set h0 up
ip -n "$NS_B" link set hb0 up
ip -n "$NS_A" neigh replace "10.$((NET + 1)).0.2" lladdr "$(mac_of "$NS_B" hb0)" dev h0 nud permanent
ip -n "$NS_B" neigh replace "10.$((NET + 1)).0.1" lladdr "$(mac_of "$NS_A" h0)" dev hb0 nud permanent
sink "$NS_A" "10.$((NET + 1)).0.1" 9998
sleep 0.2
send "$NS_B" "10.$((NET + 1)).0.2" "10.$((NET + 1)).0.1" 9998 5 58  # 5 x 100 B
wait_metric "$series" 5
wait_metric "netprobe_tc_bytes_total{direction=\"ingress\",ifindex=\"$H0\",interface=\"h0\"}" 500

# Rename (still matching): same ifindex and counters, new label; the old series is gone.
ip -n "$NS_A" link set h0 down
ip -n "$NS_A" link set h0 name h0r
ip -n "$NS_A" link set h0r up
wait_metric "netprobe_tc_packets_total{direction=\"ingress\",ifindex=\"$H0\",interface=\"h0r\"}" 5
wait_gone 'interface="h0"'
grep -q 'renamed to h0r' "$WORK/observo.log" || fail "no rename log line"

# Rename to an excluded name: detached, series gone, filters removed.
ip -n "$NS_A" link set h0r down
ip -n "$NS_A" link set h0r name hx0
wait_metric netprobe_attached_interfaces 1
wait_gone "ifindex=\"$H0\""
[ "$(observo_filters "$NS_A" hx0 ingress)" = 0 ] || fail "observo filter left on excluded hx0"
has_clsact "$NS_A" hx0 && fail "observo's clsact qdisc left on excluded hx0"

# Back to a matching name: attached again; then deleted: its series disappear.
ip -n "$NS_A" link set hx0 name h1
ip -n "$NS_A" link set h1 up
wait_metric "netprobe_tc_packets_total{direction=\"egress\",ifindex=\"$H0\",interface=\"h1\"}" 0
wait_metric netprobe_attached_interfaces 2
ip -n "$NS_A" link del h1
wait_gone "ifindex=\"$H0\"" 1
wait_metric netprobe_attached_interfaces 1
grep -q 'h1 (ifindex [0-9]*) went away' "$WORK/observo.log" || fail "no 'went away' log line"

# A burst of links: all attached, and all forgotten after deletion.
for i in $(seq 1 20); do ip -n "$NS_A" link add name "hb$i" type veth peer name "xp$i"; done
wait_metric netprobe_attached_interfaces 21
for i in $(seq 1 20); do ip -n "$NS_A" link del "hb$i"; done
wait_metric netprobe_attached_interfaces 1
wait_gone 'interface="hb'

stop_observo
[ "$(observo_filters "$NS_A" a0 ingress)" = 0 ] || fail "observo filter left on a0"
echo "PASS"

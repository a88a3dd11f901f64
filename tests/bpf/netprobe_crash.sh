#!/usr/bin/env bash
# Crash recovery through the real binary: after kill -9 the netlink TC filters stay (sticky).
# A restart replaces them in place: one observo filter per hook however often observo was
# killed, with the new program ids, and counting works. A clean stop then removes them and the
# clsact qdisc the first (killed) run created.
source "$(dirname "$0")/lib.bash"

ns_setup
veth_pair a0 b0 "10.$NET.0"
IDX=$(ifindex_of "$NS_A" a0)
write_config "$WORK/observo.yaml" "interfaces:" '  include: ["a0"]'
series() { printf 'netprobe_tc_packets_total{direction="%s",ifindex="%s",interface="a0"}' "$1" "$IDX"; }
prog_ids() { tc -n "$NS_A" filter show dev a0 "$1" | sed -n 's/.*observo_[a-z]*:\[\([0-9]*\)\].*/\1/p'; }

sink "$NS_B" "10.$NET.0.2" 9999

start_observo run1 "$WORK/observo.yaml"
wait_metric netprobe_attached_interfaces 1
send "$NS_A" "10.$NET.0.1" "10.$NET.0.2" 9999 10 100
wait_metric "$(series egress)" 10
first_ids="$(prog_ids ingress) $(prog_ids egress)"

for run in 2 3; do
  kill_observo
  # Sticky: the killed run's filters are still on both hooks.
  [ "$(observo_filters "$NS_A" a0 ingress)" = 1 ] || fail "run $run: filter not sticky after kill -9"
  [ "$(observo_filters "$NS_A" a0 egress)" = 1 ] || fail "run $run: filter not sticky after kill -9"

  start_observo "run$run" "$WORK/observo.yaml"
  wait_metric netprobe_attached_interfaces 1
  grep -q 'replacing the filter observo_ingress:\[[0-9]*\] a previous observo left on a0' \
    "$WORK/run$run.log" || fail "run $run: no adoption log line"
  for hook in ingress egress; do
    [ "$(observo_filters "$NS_A" a0 "$hook")" = 1 ] ||
      fail "run $run: $(observo_filters "$NS_A" a0 "$hook") observo filters on a0 $hook, want 1"
  done
  ids="$(prog_ids ingress) $(prog_ids egress)"
  [ "$ids" != "$first_ids" ] || fail "run $run: the filters still run the killed run's programs"

  # Counting works: the new map starts from zero and counts exactly.
  wait_metric "$(series egress)" 0
  send "$NS_A" "10.$NET.0.1" "10.$NET.0.2" 9999 "$((run * 3))" 100
  wait_metric "$(series egress)" "$((run * 3))"
  wait_metric "netprobe_tc_bytes_total{direction=\"egress\",ifindex=\"$IDX\",interface=\"a0\"}" \
    "$((run * 3 * 142))"
  first_ids=$ids
done

stop_observo
[ "$(observo_filters "$NS_A" a0 ingress)" = 0 ] || fail "observo filter left on a0 ingress"
[ "$(observo_filters "$NS_A" a0 egress)" = 0 ] || fail "observo filter left on a0 egress"
has_clsact "$NS_A" a0 && fail "the clsact qdisc the killed observo created is still there"
echo "PASS"

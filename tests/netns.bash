# A pair of network namespaces joined by veth pairs, for the tests that need real links
# (tests/bpf/*.sh through tests/bpf/lib.bash, tests/e2e/all_sources.sh). Sourced; the caller
# sets NS_A and NS_B, defines skip() (exit 77 with a reason) and deletes the namespaces in its
# cleanup.
#
# IPv6 is off in both namespaces (no router or neighbour solicitations, no MLD) and neighbours
# are static (no ARP), so the only packets on a veth are the ones a test sends.

# ns_setup: both namespaces, loopback up, IPv6 off for every link created later.
ns_setup() {
  ip netns add "$NS_A" || skip "cannot create network namespaces"
  ip netns add "$NS_B"
  local ns
  for ns in "$NS_A" "$NS_B"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1
  done
}

mac_of() { ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
ifindex_of() { ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }

# veth_pair DEV_A DEV_B SUBNET: DEV_A (in A, .1) <-> DEV_B (in B, .2), static neighbours.
veth_pair() {
  local a=$1 b=$2 subnet=$3
  ip -n "$NS_A" link add name "$a" type veth peer name "$b" netns "$NS_B" ||
    skip "cannot create veth pairs"
  ip -n "$NS_A" addr add "$subnet.1/24" dev "$a"
  ip -n "$NS_B" addr add "$subnet.2/24" dev "$b"
  ip -n "$NS_A" link set "$a" up
  ip -n "$NS_B" link set "$b" up
  ip -n "$NS_A" neigh replace "$subnet.2" lladdr "$(mac_of "$NS_B" "$b")" dev "$a" nud permanent
  ip -n "$NS_B" neigh replace "$subnet.1" lladdr "$(mac_of "$NS_A" "$a")" dev "$b" nud permanent
}

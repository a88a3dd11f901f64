# Helpers for the netprobe namespace tests: a network namespace pair joined by veth pairs, the
# real observo binary running inside namespace A (`ip netns exec`), exact traffic, and cleanup
# of every namespace, link and process on any exit, also when a test fails.
#
# Layout (names unique per run: two runs of a test, or two tests, never share a namespace):
#
#   netns $NS_A  (observo runs here, HTTP on 127.0.0.1:$PORT)     netns $NS_B
#     a0  10.$NET.0.1/24  <------------- veth ------------->  b0  10.$NET.0.2/24
#
# observo runs inside A, so it sees only A's interfaces: the host's are never attached, and
# every interface a test creates disappears with the namespace.
#
# Exactness: IPv6 is disabled in both namespaces before any link exists (no router/neighbour
# solicitations, no MLD) and neighbours are static (no ARP), so the only packets on a veth are
# the ones the test sends. Sizes: every UDP datagram of P payload bytes is one skb of
# 14 (Ethernet) + 20 (IPv4) + 8 (UDP) + P bytes at TC: netprobe counts skb->len, L2 header
# included, no FCS.
set -euo pipefail

OBSERVO=${1:?usage: $0 OBSERVO_BINARY SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 OBSERVO_BINARY SOURCE_DIR}
BPF_TEST_DIR=$SOURCE_DIR/tests/bpf

skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, CAP_BPF, CAP_NET_ADMIN)"
for tool in ip tc python3 curl; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done

RUN_ID=$(printf '%x%04x' $$ $((RANDOM)))
NS_A=observo-np-$RUN_ID-a
NS_B=observo-np-$RUN_ID-b
NET=$((RANDOM % 200 + 20))
PORT=9464
WORK=$(mktemp -d /tmp/observo-bpf.XXXXXX)
PIDS=()
OBSERVO_PID=

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in "$WORK"/*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 40 "$log" >&2; }
  done
  echo "--- tc state in $NS_A" >&2
  for dev in $(ip -n "$NS_A" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    echo "$dev: $(tc -n "$NS_A" qdisc show dev "$dev" 2>&1 | tr '\n' ' ')" >&2
    tc -n "$NS_A" filter show dev "$dev" ingress 2>&1 | sed 's/^/  ingress /' >&2
    tc -n "$NS_A" filter show dev "$dev" egress 2>&1 | sed 's/^/  egress  /' >&2
  done
  exit 1
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

# ns_setup, mac_of, ifindex_of, veth_pair.
source "$SOURCE_DIR/tests/netns.bash"

# write_config FILE [EXTRA NETPROBE KEYS...]: netprobe enabled, 200 ms interval.
write_config() {
  local file=$1
  shift
  {
    printf 'server:\n  listen_address: "127.0.0.1"\n  port: %s\n' "$PORT"
    printf 'log:\n  level: debug\n'
    printf 'netprobe:\n  enabled: true\n  collect_interval: 200ms\n'
    local line
    for line in "$@"; do printf '  %s\n' "$line"; done
  } >"$file"
}

# start_observo LOGNAME CONFIG: observo server inside A; waits for /ready.
start_observo() {
  local log="$WORK/$1.log"
  ip netns exec "$NS_A" "$OBSERVO" server --config "$2" >"$log" 2>&1 &
  OBSERVO_PID=$!
  PIDS+=("$OBSERVO_PID")
  for _ in $(seq 1 100); do
    if in_a curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1; then return 0; fi
    kill -0 "$OBSERVO_PID" 2>/dev/null || fail "observo exited during start-up"
    sleep 0.1
  done
  fail "observo did not become ready within 10 s"
}

# stop_observo: SIGTERM, expects exit code 0.
stop_observo() {
  kill -TERM "$OBSERVO_PID"
  local code=0
  wait "$OBSERVO_PID" || code=$?
  [ "$code" = 0 ] || fail "observo exited $code after SIGTERM"
}

# kill_observo: SIGKILL, as the OOM killer would.
kill_observo() {
  kill -9 "$OBSERVO_PID"
  wait "$OBSERVO_PID" 2>/dev/null || true
}

scrape() { in_a curl -sf "http://127.0.0.1:$PORT/metrics"; }
health() { in_a curl -sf "http://127.0.0.1:$PORT/health"; }

# metric 'name{labels}': its value in the current scrape ("" when absent). Labels are given
# exactly as observo renders them (sorted by name).
metric() {
  local series=$1
  scrape | awk -v s="$series" '$1 == s {print $2}'
}

# wait_metric 'name{labels}' VALUE [SECONDS]: until the series has VALUE.
wait_metric() {
  local series=$1 want=$2 seconds=${3:-5} got=
  local tries=$((seconds * 20))
  for _ in $(seq 1 "$tries"); do
    got=$(metric "$series")
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  fail "$series is '$got', want '$want' (waited ${seconds}s)"
}

# wait_gone PATTERN [SECONDS]: until no series line matches the regex PATTERN.
wait_gone() {
  local pattern=$1 seconds=${2:-5}
  for _ in $(seq 1 $((seconds * 20))); do
    scrape | grep -qE "$pattern" || return 0
    sleep 0.05
  done
  fail "series matching /$pattern/ still present after ${seconds}s"
}

# sink NS ADDR PORT: a UDP socket that receives (so no ICMP port-unreachable is sent back).
sink() {
  ip netns exec "$1" python3 "$BPF_TEST_DIR/traffic.py" sink "$2" "$3" &
  PIDS+=("$!")
}

# send NS SRC DST PORT COUNT PAYLOAD: COUNT UDP datagrams of PAYLOAD bytes.
send() {
  ip netns exec "$1" python3 "$BPF_TEST_DIR/traffic.py" send "$2" "$3" "$4" "$5" "$6"
}

# observo_filters NS DEV HOOK: how many of observo's filters the hook holds.
observo_filters() {
  tc -n "$1" filter show dev "$2" "$3" | grep -c 'observo_' || true
}
has_clsact() { tc -n "$1" qdisc show dev "$2" | grep -q clsact; }

#!/usr/bin/env bash
# netprobe's degraded mode through the real binary: started without CAP_BPF and CAP_NET_ADMIN
# (dropped with setpriv when run as root; an ordinary user has neither), observo logs one line
# with the cause and the remedy, reports netprobe_up 0 and observo_source_up{source="netprobe"}
# 0, shows the state in /health, and keeps serving everything else.
source "$(dirname "$0")/lib.bash"

printf 'server:\n  listen_address: "127.0.0.1"\n  port: 0\nnetprobe:\n  enabled: true\n  collect_interval: 200ms\n  interfaces:\n    include: ["observo-e2e-none*"]\n' \
  >"$WORK/netprobe.yaml"

if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is missing"; exit 77; }
  # The wrapper drops every capability, including from the bounding set, before exec.
  printf '#!/bin/sh\nexec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- "%s" "$@"\n' \
    "$OBSERVO" >"$WORK/observo-nocaps"
  chmod +x "$WORK/observo-nocaps"
  OBSERVO="$WORK/observo-nocaps"
fi

start_observo degraded server --config "$WORK/netprobe.yaml"
base="http://127.0.0.1:$OBSERVO_PORT"

metrics=""
for _ in $(seq 1 50); do
  metrics=$(curl -sf "$base/metrics") || fail "GET /metrics"
  grep -q '^netprobe_up 0$' <<<"$metrics" && break
  sleep 0.1
done
grep -q '^netprobe_up 0$' <<<"$metrics" || fail "netprobe_up 0 missing: $(grep netprobe <<<"$metrics")"
grep -q '^observo_source_up{source="netprobe"} 0$' <<<"$metrics" ||
  fail 'observo_source_up{source="netprobe"} 0 missing'
grep -q '^observo_connector_up 1$' <<<"$metrics" || fail "the daemon's own metrics are missing"
grep -q '^netprobe_tc_packets_total' <<<"$metrics" && fail "degraded mode exports traffic series"
curl -sf "$base/ready" >/dev/null || fail "/ready is not 200 in degraded mode"

curl -sf "$base/health" | python3 -c '
import json, sys
n = json.load(sys.stdin)["sources"]["netprobe"]
assert n["enabled"] is True and n["up"] is False, n
assert n["running"] is False and n["state"] == "degraded", n
assert "CAP_BPF" in n["degraded_reason"] and "CAP_NET_ADMIN" in n["degraded_reason"], n
' || fail "/health lacks the degraded netprobe state: $(curl -sf "$base/health")"

lines=$(grep -c 'netprobe disabled: missing CAP_BPF, CAP_NET_ADMIN' "$WORK/degraded.log" || true)
[ "$lines" = 1 ] || fail "want exactly one cause line, got $lines"
grep -q 'Remedy: run observo as root, or grant it CAP_BPF and CAP_NET_ADMIN' "$WORK/degraded.log" ||
  fail "the log line names no remedy"

kill -TERM "$OBSERVO_PID"
code=0
wait "$OBSERVO_PID" || code=$?
[ "$code" = 0 ] || fail "observo exited $code after SIGTERM in degraded mode"
echo "PASS"

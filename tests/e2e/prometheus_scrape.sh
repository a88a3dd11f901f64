#!/usr/bin/env bash
# The built binary on config.example.yaml: promtool accepts /metrics, and a real Prometheus
# server scrapes it and reports the target up with observo_connector_up == 1.
source "$(dirname "$0")/lib.bash"

command -v promtool >/dev/null || { echo "SKIP: promtool not installed (scripts/setup.sh installs it)"; exit 77; }
command -v prometheus >/dev/null || { echo "SKIP: prometheus not installed (scripts/setup.sh installs it)"; exit 77; }

start_observo observo server --config "$SOURCE_DIR/config.example.yaml" \
  --listen-address 127.0.0.1 --port 0
base="http://127.0.0.1:$OBSERVO_PORT"

# 1. promtool lints the 0.0.4 text exposition (exit 0: no parse error and no lint finding).
curl -sf "$base/metrics" -H 'Accept: text/plain' >"$WORK/metrics.txt" || fail "GET /metrics"
promtool check metrics <"$WORK/metrics.txt" 2>"$WORK/promtool.log" || fail "promtool check metrics: $(cat "$WORK/promtool.log")"
grep -q '^observo_connector_up 1$' "$WORK/metrics.txt" || fail "observo_connector_up 1 missing"
echo "promtool check metrics: OK ($(grep -vc '^#' "$WORK/metrics.txt") samples)"

# 2. A real Prometheus scrapes observo (it negotiates OpenMetrics).
prom_port=$(free_port)
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: observo
    static_configs:
      - targets: ["127.0.0.1:$OBSERVO_PORT"]
YAML
promtool check config "$WORK/prometheus.yml" >/dev/null || fail "generated Prometheus config is invalid"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
api="http://127.0.0.1:$prom_port/api/v1"

health=""
for _ in $(seq 1 150); do
  health=$(curl -sf "$api/targets" 2>/dev/null | python3 -c '
import json, sys
targets = json.load(sys.stdin)["data"]["activeTargets"]
print(" ".join(t["health"] + ":" + (t.get("lastError") or "") for t in targets))' 2>/dev/null || true)
  [ "$health" = "up:" ] && break
  sleep 0.2
done
[ "$health" = "up:" ] || fail "Prometheus target not up: '$health'"

value=""
for _ in $(seq 1 50); do
  value=$(curl -sf "$api/query" --data-urlencode 'query=observo_connector_up{job="observo"}' | python3 -c '
import json, sys
result = json.load(sys.stdin)["data"]["result"]
print(result[0]["value"][1] if result else "")' 2>/dev/null || true)
  [ -n "$value" ] && break
  sleep 0.2
done
[ "$value" = "1" ] || fail "observo_connector_up via PromQL = '$value', want 1"

# The scrape used OpenMetrics: Prometheus stores counters under their _total sample name.
requests=$(curl -sf "$api/query" --data-urlencode 'query=observo_http_requests_total{handler="/metrics"}' | python3 -c '
import json, sys
print(len(json.load(sys.stdin)["data"]["result"]))')
[ "$requests" -ge 1 ] || fail "observo_http_requests_total{handler=\"/metrics\"} not in Prometheus"
echo "Prometheus: target up, observo_connector_up = $value"

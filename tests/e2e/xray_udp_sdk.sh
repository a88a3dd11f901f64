#!/usr/bin/env bash
# The real AWS X-Ray SDK for Node (aws-xray-sdk-core from npm) sends segments over UDP to
# observo's X-Ray daemon listener; every xray_* metric they produce is checked with its exact
# value through /metrics. Then observo restarts on the same data_dir and the same traffic again:
# the counters continue (doubled), nothing is lost and nothing counted twice.
# Skips (77) when node or npm is missing or the package cannot be installed.
source "$(dirname "$0")/lib.bash"

NODE_DIR="$SOURCE_DIR/tests/e2e/xray-node"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
command -v npm >/dev/null || { echo "SKIP: npm is not installed"; exit 77; }
if [ ! -d "$NODE_DIR/node_modules/aws-xray-sdk-core" ]; then
  (cd "$NODE_DIR" && npm install --no-audit --no-fund >"$WORK/npm.log" 2>&1) ||
    { echo "SKIP: npm install of aws-xray-sdk-core failed (no registry?)"; tail -n 5 "$WORK/npm.log"; exit 77; }
fi

cat >"$WORK/observo.yaml" <<YAML
xray:
  enabled: true
  time_window: 4s
  data_dir: "$WORK/state"
  udp:
    port: 0
YAML

start_xray() {
  : >"$WORK/$1.log"  # start_observo reads it at once: never let it race the redirection
  start_observo "$1" server --config "$WORK/observo.yaml" --listen-address 127.0.0.1 --port 0
  UDP_PORT=$(sed -n 's/.*UDP listener .* on [0-9.]*:\([0-9]\+\)$/\1/p' "$WORK/$1.log" | head -n 1)
  [ -n "$UDP_PORT" ] || fail "no UDP port in the log"
}

scrape() { curl -sf "http://127.0.0.1:$OBSERVO_PORT/metrics" >"$WORK/metrics.txt" || fail "scrape failed"; }

# Waits for a window to close, then runs the SDK app, so that all of its segments land in the
# same window (4 s; the app needs well under 1 s).
run_app() {
  scrape
  local before
  before=$(sed -n 's/^observo_xray_last_window_end_timestamp_seconds \(.*\)/\1/p' "$WORK/metrics.txt")
  for _ in $(seq 1 60); do
    scrape
    [ "$(sed -n 's/^observo_xray_last_window_end_timestamp_seconds \(.*\)/\1/p' "$WORK/metrics.txt")" != "$before" ] && break
    sleep 0.1
  done
  (cd "$NODE_DIR" && AWS_XRAY_DAEMON_ADDRESS="127.0.0.1:$UDP_PORT" node app.js) >"$WORK/app.log" 2>&1 ||
    fail "the SDK app failed: $(cat "$WORK/app.log")"
  grep -q "statuses 200 200 502 429 503" "$WORK/app.log" || fail "unexpected statuses: $(cat "$WORK/app.log")"
}

# check_metrics N: N = how many times the traffic ran (counters), gauges are per window.
check_metrics() {
  python3 - "$WORK/metrics.txt" "$1" <<'PY' || fail "metric values differ (see above)"
import re, sys
text = open(sys.argv[1]).read()
n = int(sys.argv[2])
values = {}
for line in text.splitlines():
    if line.startswith('#') or not line.strip():
        continue
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line)
    if m:
        values[m.group(1) + (m.group(2) or '')] = float(m.group(3))
C, I = 'http://checkout.example', 'http://inventory.example'
expected = {
  'xray_service_requests_total{service="checkout"}': 3 * n,
  'xray_service_requests_total{service="inventory"}': 5 * n,
  'xray_service_errors_total{service="checkout"}': 0,
  'xray_service_errors_total{service="inventory"}': 2 * n,
  'xray_service_faults_total{service="checkout"}': 1 * n,
  'xray_service_faults_total{service="inventory"}': 1 * n,
  'xray_service_throttles_total{service="checkout"}': 0,
  'xray_service_throttles_total{service="inventory"}': 1 * n,
  'xray_service_errors_count{service="inventory"}': 2,
  'xray_service_faults_count{service="inventory"}': 1,
  'xray_service_throttles_count{service="inventory"}': 1,
  'xray_service_faults_count{service="checkout"}': 1,
  'xray_service_status_total{service="checkout",status_code="200"}': 2 * n,
  'xray_service_status_total{service="checkout",status_code="502"}': 1 * n,
  'xray_service_status_total{service="inventory",status_code="200"}': 2 * n,
  'xray_service_status_total{service="inventory",status_code="404"}': 1 * n,
  'xray_service_status_total{service="inventory",status_code="429"}': 1 * n,
  'xray_service_status_total{service="inventory",status_code="503"}': 1 * n,
  'xray_service_method_total{method="GET",service="checkout"}': 3 * n,
  'xray_service_method_total{method="GET",service="inventory"}': 5 * n,
  'xray_service_client_ip_total{client_ip="127.0.0.1",service="checkout"}': 3 * n,
  'xray_service_client_ip_total{client_ip="127.0.0.1",service="inventory"}': 5 * n,
  'xray_service_request_duration_seconds_count{service="checkout"}': 3 * n,
  'xray_service_request_duration_seconds_count{service="inventory"}': 5 * n,
  f'xray_url_requests_total{{url="{C}/checkout/1"}}': n,
  f'xray_url_requests_total{{url="{C}/checkout/missing"}}': n,
  f'xray_url_requests_total{{url="{I}/items/2"}}': n,
  f'xray_url_errors_total{{url="{C}/checkout/1"}}': 0,
  f'xray_url_errors_total{{url="{C}/checkout/missing"}}': n,
  f'xray_url_errors_total{{url="{I}/busy"}}': n,
  f'xray_url_error_rate{{url="{I}/broken"}}': 1,
  f'xray_url_error_rate{{url="{I}/items/1"}}': 0,
  f'xray_url_latency_count{{url="{I}/missing"}}': n,
  f'xray_url_status_total{{status_code="429",url="{I}/busy"}}': n,
  f'xray_url_method_total{{method="GET",url="{C}/checkout/2"}}': n,
  f'xray_url_request_duration_seconds_count{{url="{C}/checkout/2"}}': n,
  f'xray_url_service_total{{service="checkout",url="{C}/checkout/1"}}': n,
  f'xray_url_service_requests_total{{service="inventory",url="{I}/items/1"}}': n,
  f'xray_url_service_errors_total{{service="inventory",url="{I}/missing"}}': n,
  f'xray_url_service_latency_count{{service="inventory",url="{I}/broken"}}': n,
  f'xray_url_service_status_total{{service="inventory",status_code="503",url="{I}/broken"}}': n,
  f'xray_url_service_method_total{{method="GET",service="checkout",url="{C}/checkout/missing"}}': n,
  'xray_service_dependency_total{source="checkout",target="127.0.0.1"}': 3 * n,
  'xray_service_dependency_health{source="checkout",target="127.0.0.1"}': 2 / 3,
  'observo_xray_segments_processed_total': 8 * n,
  'observo_xray_duplicates_skipped_total': 0,
  'observo_xray_udp_invalid_total{reason="header"}': 0,
  'observo_xray_udp_invalid_total{reason="segment"}': 0,
  'observo_xray_stored_ids': 8 * n,
  'observo_source_up{source="xray"}': 1,
}
bad = 0
for key, want in expected.items():
    got = values.get(key)
    if got is None or abs(got - want) > 1e-9:
        print(f'{key}: want {want}, got {got}')
        bad += 1
# Every earlier metric name is present; percentiles are ordered.
for name in ['xray_service_latency_avg_ms', 'xray_service_latency_p50_ms', 'xray_service_latency_p90_ms',
             'xray_service_latency_p99_ms', 'xray_url_latency_avg_ms', 'xray_url_latency_sum_ms']:
    if not any(k.startswith(name + '{') for k in values):
        print(f'{name}: missing'); bad += 1
for svc in ['checkout', 'inventory']:
    p = [values.get(f'xray_service_latency_{q}_ms{{service="{svc}"}}', -1) for q in ('p50', 'p90', 'p99')]
    if not (0 <= p[0] <= p[1] <= p[2]):
        print(f'percentiles of {svc} out of order: {p}'); bad += 1
sys.exit(1 if bad else 0)
PY
}

wait_for_requests() {  # wait_for_requests N: until checkout has 3N requests and the window closed
  for _ in $(seq 1 100); do
    scrape
    if grep -q "^xray_service_requests_total{service=\"checkout\"} $((3 * $1))\$" "$WORK/metrics.txt" &&
       grep -q '^xray_service_dependency_health{' "$WORK/metrics.txt" &&
       grep -q "^xray_service_errors_count{service=\"inventory\"} 2\$" "$WORK/metrics.txt"; then
      return 0
    fi
    sleep 0.1
  done
  fail "the SDK's segments did not show up: $(grep '^xray_service_requests_total' "$WORK/metrics.txt")"
}

start_xray first
run_app
wait_for_requests 1
check_metrics 1
echo "first run: metrics exact"

kill "$OBSERVO_PID"
wait "$OBSERVO_PID" 2>/dev/null || true
[ -f "$WORK/state/counters.json" ] || fail "no counters.json after shutdown"
[ -f "$WORK/state/segment_ids.bin" ] || fail "no segment_ids.bin after shutdown"

start_xray second
scrape
grep -q '^xray_service_requests_total{service="checkout"} 3$' "$WORK/metrics.txt" ||
  fail "counters not restored: $(grep '^xray_service_requests_total' "$WORK/metrics.txt")"
run_app
wait_for_requests 2
check_metrics 2
echo "after restart: counters continued, nothing counted twice"

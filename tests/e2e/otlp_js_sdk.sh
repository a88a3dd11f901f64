#!/usr/bin/env bash
# The real OpenTelemetry JS SDK (npm packages pinned in otlp-node/package.json) exports metrics
# to observo's OTLP receivers over gRPC, HTTP/protobuf and HTTP/JSON, cumulative and delta, and
# spans over gRPC; every series they produce on /metrics is checked exactly (name, full label
# set, value), and no other series appears in those families:
#  - counter orders {order} -> orders_total 7; up-down counter queue.depth -> queue_depth 3;
#    gauge temperature Cel -> temperature_celsius 42.5; histogram latency s, bounds
#    [0.25, 1, 5] -> latency_seconds_bucket 2/2/3/3, _sum 3.3, _count 3; all with
#    job="shop/checkout", instance="i-1", otel_scope_name=<meter>, otel_scope_version="1.0.0";
#  - delta runs export twice (+3 then +4, ...): observo accumulates to the same totals;
#  - target_info carries deployment_environment and the telemetry_sdk_* attributes;
#  - SERVER spans: traces_span_metrics_* calls, errors and duration buckets by status code; a
#    frontend CLIENT span with a checkout SERVER child: one service-graph edge.
# Skips (77) only when node or npm is missing.
source "$(dirname "$0")/lib.bash"

NODE_DIR="$SOURCE_DIR/tests/e2e/otlp-node"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
command -v npm >/dev/null || { echo "SKIP: npm is not installed"; exit 77; }
if [ ! -d "$NODE_DIR/node_modules/@opentelemetry/sdk-metrics" ]; then
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1) ||
    fail "npm ci in $NODE_DIR failed: $(tail -n 5 "$WORK/npm.log")"
fi

GRPC_PORT=$(free_port)
HTTP_PORT=$(free_port)
cat >"$WORK/observo.yaml" <<YAML
otlp:
  enabled: true
  grpc_listen: "127.0.0.1:$GRPC_PORT"
  http_listen: "127.0.0.1:$HTTP_PORT"
YAML

: >"$WORK/observo.log"
start_observo observo server --config "$WORK/observo.yaml" --listen-address 127.0.0.1 --port 0

# The receivers may come up just after /ready: wait until both ports accept connections.
for _ in $(seq 1 100); do
  python3 - "$GRPC_PORT" "$HTTP_PORT" <<'PY' && break
import socket, sys
for port in sys.argv[1:]:
    socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
PY
  sleep 0.1
done

run_node() {
  local log="$WORK/node-$1.log"
  shift
  (cd "$NODE_DIR" && timeout 60 node "$@") >"$log" 2>&1 || fail "node $* failed: $(cat "$log")"
}

run_node grpc metrics.js grpc "http://127.0.0.1:$GRPC_PORT" cumulative checkout-grpc
run_node http-protobuf metrics.js http-protobuf "http://127.0.0.1:$HTTP_PORT/v1/metrics" \
  cumulative checkout-http-protobuf
run_node http-json metrics.js http-json "http://127.0.0.1:$HTTP_PORT/v1/metrics" cumulative \
  checkout-http-json
run_node delta-grpc metrics.js grpc "http://127.0.0.1:$GRPC_PORT" delta checkout-delta-grpc
run_node delta-http-json metrics.js http-json "http://127.0.0.1:$HTTP_PORT/v1/metrics" delta \
  checkout-delta-http-json
run_node traces traces.js "http://127.0.0.1:$GRPC_PORT"

# Bad OTLP JSON: 400 with a google.rpc.Status naming the JSON path; nothing recorded, the
# daemon keeps serving (the exact page is checked below).
post_json() {
  curl -s -o "$WORK/post.txt" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$2" "http://127.0.0.1:$HTTP_PORT/v1/$1"
}
status=$(post_json metrics '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"bad",
  "sum":{"isMonotonic":true,"aggregationTemporality":2,"dataPoints":[{"asInt":"7"},{"asInt":"x"}]}}]}]}]}')
[ "$status" = 400 ] || fail "bad metrics JSON: HTTP $status, expected 400"
[ "$(cat "$WORK/post.txt")" = '{"code":3,"message":"invalid OTLP JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[1].asInt: not an integer"}' ] ||
  fail "bad metrics JSON: unexpected body $(cat "$WORK/post.txt")"
status=$(post_json traces '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abc","kind":2}]}]}]}')
[ "$status" = 400 ] || fail "bad traces JSON: HTTP $status, expected 400"
[ "$(cat "$WORK/post.txt")" = '{"code":3,"message":"invalid OTLP JSON: resourceSpans[0].scopeSpans[0].spans[0].traceId: not a hex ID of 32 digits"}' ] ||
  fail "bad traces JSON: unexpected body $(cat "$WORK/post.txt")"

# Exports are applied before the call returns, but snapshots may be published a moment later:
# poll until the check passes or 10 s are up, then report the last differences.
for attempt in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$OBSERVO_PORT/metrics" >"$WORK/metrics.txt" || fail "scrape failed"
  if python3 "$SOURCE_DIR/tests/e2e/otlp-node/check_metrics.py" "$WORK/metrics.txt" \
    >"$WORK/check.txt" 2>&1; then
    cat "$WORK/check.txt"
    echo "PASS: otlp_js_sdk"
    exit 0
  fi
  [ "$attempt" -lt 50 ] && sleep 0.2
done
echo "--- /metrics" >&2
grep -v '^#' "$WORK/metrics.txt" | grep -v '^observo_\|^process_' >&2 || true
cat "$WORK/check.txt" >&2
fail "the /metrics page differs from the expected series (above)"

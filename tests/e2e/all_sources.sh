#!/usr/bin/env bash
# Every source live at once, scraped by a real Prometheus, checked through PromQL:
#  - netprobe: eBPF TC counters on a veth (a0) in a network namespace this test creates, with
#    exact traffic to a second namespace (25 datagrams of 100 B: 25 packets, 3550 B egress);
#  - Pixie: the fake Vizier (observo_fake_vizier, the integration tests' real gRPC server) with
#    TLS, client certificates (mTLS) and JWT, four builtin scripts on a 2 s schedule;
#  - OTLP: the real OpenTelemetry JS SDK exporting application metrics, spans and Beyla's metrics
#    (Beyla's names, units, attributes and buckets) over gRPC;
#  - X-Ray: the real AWS X-Ray SDK for Node sending segments over UDP, and the API poller against
#    the fake AWS endpoint (SigV4 checked, one throttled answer);
#  - Prometheus scrapes observo every second and evaluates deploy/prometheus/observo-rules.yml.
# Then: every metric the Grafana dashboards (deploy/grafana) query exists in Prometheus, and
# every observo family on /metrics is documented in docs/metrics.md. observo, its peers and
# Prometheus all run inside namespace A (its own loopback); nothing leaves the namespaces.
# Skips (77) without root, network namespaces, promtool/prometheus, node/npm or the fake Vizier.
source "$(dirname "$0")/lib.bash"

skip() {
  echo "SKIP: $*"
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, eBPF TC programs)"
for tool in ip tc promtool prometheus node npm openssl curl; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
done
FAKE_VIZIER=${OBSERVO_FAKE_VIZIER:-$(dirname "$OBSERVO")/tests/observo_fake_vizier}
[ -x "$FAKE_VIZIER" ] || skip "the fake Vizier program ($FAKE_VIZIER) is not built"

RUN_ID=$(printf '%x%04x' $$ $((RANDOM)))
NS_A=observo-all-$RUN_ID-a
NS_B=observo-all-$RUN_ID-b
NET=$((RANDOM % 200 + 20))
PORT=9464
PROM_PORT=9090

# lib.bash's trap calls cleanup by name: this one also removes the namespaces.
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$WORK"
}

# Foreground commands only: a function run with & is a subshell, and killing it would leave
# the command running; background processes are started with `ip netns exec` itself (it execs).
in_a() { ip netns exec "$NS_A" "$@"; }

# --- the node packages (as the SDK tests install them)
OTLP_NODE=$SOURCE_DIR/tests/e2e/otlp-node
XRAY_NODE=$SOURCE_DIR/tests/e2e/xray-node
for dir in "$OTLP_NODE" "$XRAY_NODE"; do
  if [ ! -d "$dir/node_modules" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1) ||
      fail "npm ci in $dir failed: $(tail -n 5 "$WORK/npm.log")"
  fi
done

# --- namespaces: A (observo and its peers) <- veth a0/b0 -> B (a traffic sink)
# shellcheck source=../netns.bash
source "$SOURCE_DIR/tests/netns.bash"
ns_setup
veth_pair a0 b0 "10.$NET.0"

# --- certificates (CA, server with SAN 127.0.0.1, client) and the Pixie JWT key
bash "$SOURCE_DIR/scripts/gen-certs.sh" "$WORK/certs" || fail "scripts/gen-certs.sh"
CERTS=$WORK/certs
python3 -c 'import secrets; print(secrets.token_hex(64))' >"$WORK/jwt.key"

# --- the fake Vizier: TLS, client certificates required, JWT required
cat >"$WORK/rows.json" <<'JSON'
{
  "http_overview": [{"namespace": "shop", "service": "shop/cart", "requests": "10", "errors": "2",
                     "latency_avg_ms": "12.5", "latency_p50_ms": "10", "latency_p90_ms": "20",
                     "latency_p99_ms": "40.25"}],
  "resource_usage": [{"namespace": "shop", "pod": "shop/cart-1", "cpu_usage": "0.5",
                      "memory_usage": "0.25", "memory_rss_bytes": "1048576",
                      "memory_vsize_bytes": "4194304"}],
  "network_stats": [{"namespace": "shop", "pod": "shop/cart-1", "bytes_sent": "1000",
                     "bytes_received": "2000", "packets_sent": "10", "packets_received": "20"}],
  "error_analysis": [{"namespace": "shop", "service": "shop/cart", "resp_status": "503",
                      "errors": "2", "latency_avg_ms": "30"}]
}
JSON
ip netns exec "$NS_A" "$FAKE_VIZIER" --cert "$CERTS/server.crt" --key "$CERTS/server.key" --client-ca "$CERTS/ca.crt" \
  --jwt-key-file "$WORK/jwt.key" --rows "$WORK/rows.json" >"$WORK/vizier.log" 2>&1 &
PIDS+=("$!")
VIZIER=
for _ in $(seq 1 100); do
  VIZIER=$(sed -n 's/^fake vizier listening on //p' "$WORK/vizier.log")
  [ -n "$VIZIER" ] && break
  sleep 0.1
done
[ -n "$VIZIER" ] || fail "the fake Vizier did not start"

# --- the fake AWS endpoint for the X-Ray API poller (HTTPS with the test CA)
ip netns exec "$NS_A" python3 "$SOURCE_DIR/tests/e2e/xray/fake_aws.py" --cert "$CERTS/server.crt" \
  --key "$CERTS/server.key" --ports-file "$WORK/aws-ports" >"$WORK/fake-aws.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 50); do [ -s "$WORK/aws-ports" ] && break; sleep 0.1; done
read -r AWS_HTTPS_PORT _ <"$WORK/aws-ports" || fail "the fake AWS endpoint did not start"

# --- observo with all four sources
cat >"$WORK/observo.yaml" <<YAML
server:
  listen_address: "127.0.0.1"
  port: $PORT
metrics:
  # One client IP series per publication is dropped: observo_dropped_series_total counts it.
  series_caps: {"xray_service_client_ip_total": 1}
pixie:
  enabled: true
  scripts: ["http_overview", "resource_usage", "network_stats", "error_analysis"]
  clusters:
    - id: local
      address: $VIZIER
      server_name: vizier-query-broker-svc.pl.svc
      ca_cert: $CERTS/ca.crt
      client_cert: $CERTS/client.crt
      client_key: $CERTS/client.key
      jwt_signing_key_file: $WORK/jwt.key
      interval: 2s
      query_timeout: 5s
otlp:
  enabled: true
  grpc_listen: "127.0.0.1:4317"
  http_listen: "127.0.0.1:4318"
netprobe:
  enabled: true
  collect_interval: 500ms
  by_protocol: true
  interfaces:
    include: ["a0"]
    exclude: []
xray:
  enabled: true
  region: us-east-1
  time_window: 3s
  udp:
    port: 2000
  api:
    enabled: true
    endpoint: "https://127.0.0.1:$AWS_HTTPS_PORT"
    ca_file: "$CERTS/ca.crt"
    delay: 0s
    retry_base_delay: 10ms
YAML
in_a "$OBSERVO" config check --config "$WORK/observo.yaml" >"$WORK/config-check.txt" 2>&1 ||
  fail "observo config check: $(cat "$WORK/config-check.txt")"
ip netns exec "$NS_A" env AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret \
  "$OBSERVO" server --config "$WORK/observo.yaml" >"$WORK/observo.log" 2>&1 &
OBSERVO_PID=$!
PIDS+=("$OBSERVO_PID")
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  in_a curl -sf "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$OBSERVO_PID" 2>/dev/null || fail "observo exited during start-up"
  sleep 0.1
done
in_a curl -sf "$base/ready" >/dev/null || fail "observo did not become ready within 10 s"
for _ in $(seq 1 100); do  # the OTLP receivers may come up just after /ready
  in_a python3 -c 'import socket; socket.create_connection(("127.0.0.1", 4317), timeout=1).close()' \
    2>/dev/null && break
  sleep 0.1
done

# --- Prometheus in A: scrapes observo every second, evaluates observo's alert rules
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $SOURCE_DIR/deploy/prometheus/observo-rules.yml
scrape_configs:
  - job_name: observo
    honor_labels: true
    static_configs:
      - targets: ["127.0.0.1:$PORT"]
YAML
promtool check config "$WORK/prometheus.yml" >"$WORK/promtool.txt" 2>&1 ||
  fail "promtool check config: $(cat "$WORK/promtool.txt")"
ip netns exec "$NS_A" prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=("$!")
api="http://127.0.0.1:$PROM_PORT/api/v1"
# Traffic starts once Prometheus scrapes: the X-Ray window gauges live for one window only.
health=""
for _ in $(seq 1 150); do
  health=$(in_a curl -sf "$api/targets" 2>/dev/null | python3 -c '
import json, sys
print(" ".join(t["health"] for t in json.load(sys.stdin)["data"]["activeTargets"]))' 2>/dev/null || true)
  [ "$health" = up ] && break
  sleep 0.2
done
[ "$health" = up ] || fail "Prometheus does not scrape observo: target health '$health'"

# --- traffic from every source
# netprobe: A -> B, 25 datagrams of 100 B payload = 25 skbs of 142 B at a0 egress.
ip netns exec "$NS_B" python3 "$SOURCE_DIR/tests/bpf/traffic.py" sink "10.$NET.0.2" 9999 &
PIDS+=("$!")
sleep 0.3
in_a python3 "$SOURCE_DIR/tests/bpf/traffic.py" send "10.$NET.0.1" "10.$NET.0.2" 9999 25 100 ||
  fail "sending the netprobe traffic"

run_node() {  # run_node LOG DIR ARGS...: node inside A, at most 60 s
  local log="$WORK/node-$1.log" dir=$2
  shift 2
  (cd "$dir" && in_a timeout 60 node "$@") >"$log" 2>&1 || fail "node $* failed: $(cat "$log")"
}
run_node metrics "$OTLP_NODE" metrics.js grpc "http://127.0.0.1:4317" cumulative checkout-grpc
run_node traces "$OTLP_NODE" traces.js "http://127.0.0.1:4317"
run_node beyla "$OTLP_NODE" beyla.js "http://127.0.0.1:4317"
(cd "$XRAY_NODE" && in_a env AWS_XRAY_DAEMON_ADDRESS=127.0.0.1:2000 timeout 60 node app.js) \
  >"$WORK/node-xray.log" 2>&1 || fail "the X-Ray SDK app failed: $(cat "$WORK/node-xray.log")"

# --- PromQL through Prometheus' HTTP API
# check NAME QUERY EXPECTED: the result as sorted "labels value" lines (without job and
# instance) must equal EXPECTED; "= V": exactly one series, of value V; "> 0": any result.
query() {
  in_a curl -sf "$api/query" --data-urlencode "query=$1" 2>/dev/null | python3 -c '
import json, sys
lines = []
for r in json.load(sys.stdin)["data"]["result"]:
    labels = ",".join(f"{k}={v}" for k, v in sorted(r["metric"].items())
                      if k not in ("__name__", "job", "instance"))
    lines.append(labels + " " + r["value"][1])
print("\n".join(sorted(lines)))' 2>/dev/null || true
}
CHECKS=()
check() { CHECKS+=("$1"$'\t'"$2"$'\t'"$3"); }

check "netprobe egress packets" 'sum(netprobe_tc_packets_total{interface="a0",direction="egress"})' '= 25'
check "netprobe egress bytes" 'sum(netprobe_tc_bytes_total{interface="a0",direction="egress"})' '= 3550'
check "netprobe udp bytes" 'sum(netprobe_tc_protocol_bytes_total{interface="a0",direction="egress",protocol="udp"})' '= 3550'
check "netprobe ingress packets" 'sum(netprobe_tc_packets_total{interface="a0",direction="ingress"})' '= 0'
check "netprobe attached" 'netprobe_attached_interfaces' '= 1'
check "sources up" 'min by (source) (observo_source_up)' \
  "source=beyla 1"$'\n'"source=netprobe 1"$'\n'"source=pixie 1"$'\n'"source=xray 1"
check "pixie pod cpu" 'pixie_pod_cpu_usage_ratio{cluster_id="local",namespace="shop",pod="cart-1"}' '= 0.5'
check "pixie p99" 'pixie_http_request_duration_milliseconds_quantile{cluster_id="local",service="cart",quantile="0.99"}' '= 40.25'
check "pixie requests, 10 per run" 'pixie_http_requests_total{cluster_id="local",service="cart"} % 10 == 0 and pixie_http_requests_total > 0' '> 0'
check "pixie network bytes, 1000 per run" 'pixie_network_bytes_sent_total{pod="cart-1"} % 1000 == 0 and pixie_network_bytes_sent_total > 0' '> 0'
check "pixie errors by status" 'count(pixie_errors_by_type_total{service="cart",resp_status="503"} > 0)' '= 1'
check "pixie queries succeed" 'count by (script) (observo_connector_queries_total{cluster_id="local",status="success"} > 0)' \
  "script=error_analysis 1"$'\n'"script=http_overview 1"$'\n'"script=network_stats 1"$'\n'"script=resource_usage 1"
check "otlp counter" 'orders_total{job="shop/checkout",instance="i-1",method="GET"}' '= 7'
check "otlp histogram" 'latency_seconds_bucket{job="shop/checkout",le="1.0"}' '= 2'
check "beyla server count" 'sum by (http_route, http_response_status_code) (http_server_request_duration_seconds_count{job="shop/cart",instance="node-1:cart"})' \
  "http_response_status_code=200,http_route=/cart 3"$'\n'"http_response_status_code=500,http_route=/checkout 1"
check "beyla server bucket" 'http_server_request_duration_seconds_bucket{job="shop/cart",http_route="/cart",le="0.025"}' '= 1'
check "beyla client count" 'sum(http_client_request_duration_seconds_count{job="shop/cart",server_address="inventory"})' '= 2'
check "beyla flow bytes" 'sum by (direction) (beyla_network_flow_bytes_total{job="shop/cart"})' \
  "direction=request 1500"$'\n'"direction=response 4200"
check "span calls" 'sum by (status_code) (traces_span_metrics_calls_total{service_name="checkout"})' \
  "status_code=STATUS_CODE_ERROR 1"$'\n'"status_code=STATUS_CODE_OK 3"
check "service graph" 'traces_service_graph_request_total{client="frontend",server="checkout"}' '= 1'
check "service graph server latency" 'traces_service_graph_request_server_seconds_count{client="frontend",server="checkout"}' '= 1'
check "service graph client latency" 'traces_service_graph_request_client_seconds_count{client="frontend",server="checkout"}' '= 1'
check "xray udp requests" 'sum by (service) (xray_service_requests_total{service=~"checkout|inventory"})' \
  "service=checkout 3"$'\n'"service=inventory 5"
check "xray udp faults" 'xray_service_faults_total{service="inventory"}' '= 1'
check "xray api services" 'count(xray_service_requests_total{service=~"front|backend"} > 0)' '= 2'
check "series cap" 'observo_dropped_series_total{family="xray_service_client_ip_total"} > 0' '> 0'
check "xray api throttled" 'sum(observo_xray_api_requests_total{outcome="throttled"}) > 0' '> 0'

# Polls until every check passes (30 s at most), then reports each difference.
run_checks() {
  local failures
  for attempt in $(seq 1 60); do
    failures=""
    local entry name promql want got
    for entry in "${CHECKS[@]}"; do
      IFS=$'\t' read -r name promql want <<<"${entry//$'\n'/$'\x01'}"
      want=${want//$'\x01'/$'\n'}
      got=$(query "$promql")
      case "$want" in
        "= "*) [ "$(awk '{print $NF}' <<<"$got")" = "${want#= }" ] && [ "$(wc -l <<<"$got")" = 1 ] && continue ;;
        "> 0") [ -n "$got" ] && continue ;;
        *) [ "$got" = "$want" ] && continue ;;
      esac
      failures+="  $name: $promql"$'\n'"    want: ${want//$'\n'/ | }"$'\n'"    got:  ${got//$'\n'/ | }"$'\n'
    done
    [ -z "$failures" ] && { echo "PromQL: ${#CHECKS[@]} checks passed (attempt $attempt)"; return 0; }
    sleep 0.5
  done
  fail "PromQL checks failed:"$'\n'"$failures"
}
run_checks

# --- every rule of deploy/prometheus/observo-rules.yml evaluates without error on this data
in_a curl -sf "$api/rules" >"$WORK/rules.json" || fail "GET /api/v1/rules"
python3 - "$WORK/rules.json" <<'PY' || fail "rule evaluation (see above)"
import json, sys
groups = json.load(open(sys.argv[1]))["data"]["groups"]
rules = [r for g in groups for r in g["rules"]]
bad = [f'{r["name"]}: {r.get("lastError")}' for r in rules if r.get("health") not in ("ok", "unknown")]
if not rules or bad:
    print("rules:", len(rules), "bad:", bad)
    sys.exit(1)
print(f"alert rules: {len(rules)} loaded, none failing")
PY

# --- every metric the Grafana dashboards query is in Prometheus
in_a curl -sf "$api/label/__name__/values" | python3 -c '
import json, sys
print("\n".join(json.load(sys.stdin)["data"]))' >"$WORK/prom-names.txt" || fail "GET /api/v1/label/__name__/values"
python3 "$SOURCE_DIR/tests/e2e/dashboard_metrics.py" "$SOURCE_DIR/deploy/grafana/dashboards" \
  >"$WORK/dashboard-names.txt" || fail "dashboard_metrics.py failed"
[ -s "$WORK/dashboard-names.txt" ] || fail "no metric names found in the dashboards"
missing=$(grep -vxFf "$WORK/prom-names.txt" "$WORK/dashboard-names.txt" || true)
[ -z "$missing" ] || fail "dashboard metrics missing in Prometheus: $(echo $missing)"
echo "dashboards: all $(wc -l <"$WORK/dashboard-names.txt") metric names exist in Prometheus"

# --- every observo family on /metrics is documented in docs/metrics.md
in_a curl -sf "$base/metrics" >"$WORK/metrics.txt" || fail "GET /metrics"
python3 - "$WORK/metrics.txt" "$SOURCE_DIR/docs/metrics.md" <<'PY' || fail "undocumented metrics (see above)"
import re, sys
page = open(sys.argv[1]).read()
documented = set(re.findall(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^`]*\})?`", open(sys.argv[2]).read()))
families = re.findall(r"^# TYPE (\S+) \S+$", page, re.M)
ours = [f for f in families if re.match(r"(observo|netprobe|xray|pixie|process|traces)_", f)]
missing = [f for f in ours if f not in documented]
if missing:
    print("not in docs/metrics.md:", " ".join(missing))
    sys.exit(1)
print(f"docs/metrics.md documents all {len(ours)} observo families on the page")
PY

# --- a clean stop: exit 0, and netprobe leaves no filter behind
kill -TERM "$OBSERVO_PID"
code=0
wait "$OBSERVO_PID" || code=$?
[ "$code" = 0 ] || fail "observo exited $code after SIGTERM"
tc -n "$NS_A" filter show dev a0 ingress | grep -q observo_ && fail "a filter is left on a0 ingress"
tc -n "$NS_A" filter show dev a0 egress | grep -q observo_ && fail "a filter is left on a0 egress"
echo "all sources: OK"

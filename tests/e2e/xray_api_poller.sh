#!/usr/bin/env bash
# The X-Ray API poller against a fake X-Ray API over real HTTPS on loopback (certificates made
# here), which checks the SigV4 signature of every request with its own implementation and
# injects throttling, a 500, an unprocessed ID, a partial trace, inferred and malformed
# documents. Every metric the known traces produce is checked exactly through /metrics. Then:
# a restart on the same data_dir, with the fake serving the same traces again, counts nothing
# twice; a corrupt state file is kept aside; credentials come from each provider (environment,
# shared files with a profile, web identity through the fake STS, container endpoint, IMDSv2
# at a loopback endpoint).
source "$(dirname "$0")/lib.bash"

command -v openssl >/dev/null || { echo "SKIP: openssl CLI missing"; exit 77; }

# CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=observo test CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.pem" >/dev/null 2>&1 || fail "CA"
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$WORK/server.key" \
  -out "$WORK/server.csr" >/dev/null 2>&1 || fail "CSR"
printf 'subjectAltName=IP:127.0.0.1\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial \
  -days 1 -extfile "$WORK/san.ext" -out "$WORK/server.pem" >/dev/null 2>&1 || fail "server cert"

python3 "$SOURCE_DIR/tests/e2e/xray/fake_aws.py" --cert "$WORK/server.pem" --key "$WORK/server.key" \
  --ports-file "$WORK/ports" >"$WORK/fake.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 50); do [ -f "$WORK/ports" ] && break; sleep 0.1; done
read -r HTTPS_PORT HTTP_PORT <"$WORK/ports" || fail "fake AWS did not start"
FAKE="https://127.0.0.1:$HTTPS_PORT"

write_config() {  # write_config FILE DATA_DIR
  cat >"$1" <<YAML
xray:
  enabled: true
  time_window: 1s
  data_dir: "$2"
  sts_endpoint: "$FAKE"
  udp:
    enabled: false
  api:
    enabled: true
    endpoint: "$FAKE"
    ca_file: "$WORK/ca.pem"
    delay: 0s
    batch_size: 2
    parallel_workers: 2
    retry_base_delay: 10ms
YAML
}

scrape() { curl -sf "http://127.0.0.1:$OBSERVO_PORT/metrics" >"$WORK/metrics.txt" || fail "scrape failed"; }
value() {  # value 'name{labels}' -> the sample value or "absent"
  awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' "$WORK/metrics.txt"
}
wait_for() {  # wait_for 'name{labels}' VALUE
  for _ in $(seq 1 100); do
    scrape
    [ "$(value "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  fail "$1: want $2, got $(value "$1")"
}

# run_env NAME VAR=VALUE... -- ARGS: start_observo NAME ARGS with a clean AWS environment plus
# the given variables (through a wrapper that execs observo, so OBSERVO_PID stays observo's).
OBSERVO_REAL=$OBSERVO
run_env() {
  local name=$1 wrapper="$WORK/run-$1.sh"
  shift
  {
    echo '#!/bin/sh'
    printf 'exec env -u AWS_PROFILE -u AWS_ROLE_ARN -u AWS_WEB_IDENTITY_TOKEN_FILE -u AWS_REGION '
    printf -- '-u AWS_DEFAULT_REGION -u AWS_CONTAINER_CREDENTIALS_FULL_URI '
    printf -- '-u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY '
    printf -- '-u AWS_SESSION_TOKEN AWS_SHARED_CREDENTIALS_FILE=%q AWS_CONFIG_FILE=%q ' "$WORK/none" "$WORK/none"
    while [ "$1" != "--" ]; do printf '%q ' "$1"; shift; done
    printf '%q "$@"\n' "$OBSERVO_REAL"
  } >"$wrapper"
  shift
  chmod +x "$wrapper"
  : >"$WORK/$name.log"  # start_observo reads it at once: never let it race the redirection
  OBSERVO=$wrapper start_observo "$name" "$@"
}

check_metrics() {  # exact values of the known traces; $1 = expected duplicates_skipped
  python3 - "$WORK/metrics.txt" "$1" <<'PY' || fail "metric values differ (see above)"
import re, sys
values = {}
for line in open(sys.argv[1]):
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$', line.strip())
    if m and not line.startswith('#'):
        values[m.group(1) + (m.group(2) or '')] = float(m.group(3))
F, B = 'front', 'backend'
CART, CHECKOUT, ITEMS = 'https://shop.example/cart', 'https://shop.example/checkout', 'http://backend.internal/items'
expected = {
  f'xray_service_requests_total{{service="{F}"}}': 4, f'xray_service_requests_total{{service="{B}"}}': 2,
  f'xray_service_errors_total{{service="{F}"}}': 1, f'xray_service_errors_total{{service="{B}"}}': 1,
  f'xray_service_faults_total{{service="{F}"}}': 1, f'xray_service_faults_total{{service="{B}"}}': 0,
  f'xray_service_throttles_total{{service="{F}"}}': 0, f'xray_service_throttles_total{{service="{B}"}}': 1,
  f'xray_service_status_total{{service="{F}",status_code="200"}}': 2,
  f'xray_service_status_total{{service="{F}",status_code="404"}}': 1,
  f'xray_service_status_total{{service="{F}",status_code="500"}}': 1,
  f'xray_service_status_total{{service="{B}",status_code="429"}}': 1,
  f'xray_service_method_total{{method="GET",service="{F}"}}': 3,
  f'xray_service_method_total{{method="POST",service="{F}"}}': 1,
  f'xray_service_client_ip_total{{client_ip="10.0.0.1",service="{F}"}}': 3,
  f'xray_service_client_ip_total{{client_ip="10.0.0.2",service="{F}"}}': 1,
  f'xray_service_request_duration_seconds_count{{service="{F}"}}': 4,
  f'xray_service_request_duration_seconds_sum{{service="{F}"}}': 0.4,
  f'xray_service_request_duration_seconds_bucket{{service="{F}",le="0.025"}}': 1,
  f'xray_service_request_duration_seconds_bucket{{service="{F}",le="0.1"}}': 3,
  f'xray_url_requests_total{{url="{CART}"}}': 3, f'xray_url_requests_total{{url="{CHECKOUT}"}}': 1,
  f'xray_url_requests_total{{url="{ITEMS}"}}': 2,
  f'xray_url_errors_total{{url="{CART}"}}': 1, f'xray_url_errors_total{{url="{CHECKOUT}"}}': 1,
  f'xray_url_latency_sum_ms{{url="{CART}"}}': 150, f'xray_url_latency_count{{url="{CART}"}}': 3,
  f'xray_url_status_total{{status_code="404",url="{CART}"}}': 1,
  f'xray_url_method_total{{method="POST",url="{CHECKOUT}"}}': 1,
  f'xray_url_request_duration_seconds_count{{url="{ITEMS}"}}': 2,
  f'xray_url_service_total{{service="{B}",url="{ITEMS}"}}': 2,
  f'xray_url_service_requests_total{{service="{F}",url="{CART}"}}': 3,
  f'xray_url_service_errors_total{{service="{B}",url="{ITEMS}"}}': 1,
  f'xray_url_service_latency_sum_ms{{service="{B}",url="{ITEMS}"}}': 50,
  f'xray_url_service_latency_count{{service="{F}",url="{CHECKOUT}"}}': 1,
  f'xray_url_service_status_total{{service="{F}",status_code="500",url="{CHECKOUT}"}}': 1,
  f'xray_url_service_method_total{{method="GET",service="{F}",url="{CART}"}}': 3,
  f'xray_service_dependency_total{{source="{F}",target="{B}"}}': 1,
  f'xray_service_dependency_total{{source="{F}",target="DynamoDB"}}': 1,
  'observo_xray_traces_processed_total': 5,
  'observo_xray_segments_processed_total': 6,
  'observo_xray_inferred_segments_skipped_total': 1,
  'observo_xray_invalid_segments_total': 1,
  'observo_xray_duplicates_skipped_total': float(sys.argv[2]),
}
window = {  # the last window's gauges, present in the scrape right after the traces' window
  f'xray_service_latency_avg_ms{{service="{F}"}}': 100, f'xray_service_latency_p50_ms{{service="{F}"}}': 30,
  f'xray_service_latency_p90_ms{{service="{F}"}}': 250, f'xray_service_latency_p99_ms{{service="{F}"}}': 250,
  f'xray_service_latency_avg_ms{{service="{B}"}}': 25, f'xray_service_latency_p50_ms{{service="{B}"}}': 10,
  f'xray_service_errors_count{{service="{F}"}}': 1, f'xray_service_faults_count{{service="{F}"}}': 1,
  f'xray_service_throttles_count{{service="{B}"}}': 1,
  f'xray_url_error_rate{{url="{CART}"}}': 1 / 3, f'xray_url_latency_avg_ms{{url="{CART}"}}': 50,
  f'xray_service_dependency_health{{source="{F}",target="{B}"}}': 1,
  f'xray_service_dependency_health{{source="{F}",target="DynamoDB"}}': 0,
}
if len(sys.argv) > 2 and sys.argv[2] == '0':
    expected.update(window)
bad = 0
for key, want in expected.items():
    got = values.get(key)
    if got is None or abs(got - want) > 1e-9:
        print(f'{key}: want {want}, got {got}'); bad += 1
sys.exit(1 if bad else 0)
PY
}

# 1. Environment credentials; exact values; injected failures retried.
write_config "$WORK/observo.yaml" "$WORK/state"
run_env first AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret -- server --config "$WORK/observo.yaml" --listen-address 127.0.0.1 --port 0 --region us-east-1
for _ in $(seq 1 100); do
  scrape
  [ "$(value 'xray_service_latency_p50_ms{service="front"}')" != absent ] &&
    [ "$(value observo_xray_traces_processed_total)" = 5 ] && break
  sleep 0.1
done
check_metrics 0
[ "$(value 'observo_xray_api_requests_total{operation="GetTraceSummaries",outcome="throttled"}')" = 1 ] || fail "throttling not retried once"
[ "$(value 'observo_xray_api_requests_total{operation="BatchGetTraces",outcome="server_error"}')" = 1 ] || fail "500 not retried once"
# 3 batches of 2 (T1 T2, T3 T5, T6) + one retry of the 500 + the unprocessed T2 again.
[ "$(value 'observo_xray_api_requests_total{operation="BatchGetTraces",outcome="success"}')" = 4 ] ||
  fail "BatchGetTraces successes: $(value 'observo_xray_api_requests_total{operation="BatchGetTraces",outcome="success"}')"
[ "$(value 'observo_xray_api_partial_traces_skipped_total')" = 1 ] || fail "partial trace not skipped"
[ "$(value 'observo_source_up{source="xray"}')" = 1 ] || fail "source not up"
curl -sfk "$FAKE/__stats" >"$WORK/stats.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["bad_signatures"]==0 and s["max_batch"]<=2 and s["keys"].get("AKIDENV",0)>=8, s' "$WORK/stats.json" ||
  fail "fake API saw bad signatures: $(cat "$WORK/stats.json")"
# Connection reuse: one kept-alive connection for the summaries and one per worker (2), across
# every window polled so far (the "- 1" is the curl that fetched the stats).
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["connections"] - 1 <= 3, s' "$WORK/stats.json" ||
  fail "connections not reused: $(cat "$WORK/stats.json")"
echo "poller: exact metrics, retries on 429 and 500, unprocessed IDs retried, every signature valid, connections reused"

# 2. Restart on the same data_dir; the fake serves the same traces again: nothing counted twice.
kill "$OBSERVO_PID"; wait "$OBSERVO_PID" 2>/dev/null || true
for f in counters.json segment_ids.bin trace_ids.bin poller.json; do
  [ -f "$WORK/state/$f" ] || fail "state file $f missing after shutdown"
done
curl -sfk -X POST "$FAKE/__reset" >/dev/null
run_env second AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret -- server --config "$WORK/observo.yaml" --listen-address 127.0.0.1 --port 0 --region us-east-1
wait_for observo_xray_duplicates_skipped_total 5
check_metrics 5
[ "$(value 'observo_xray_api_requests_total{operation="BatchGetTraces",outcome="success"}')" = absent ] ||
  fail "known traces were fetched again"
echo "restart: counters continued, the same traces were not counted twice"
kill "$OBSERVO_PID"; wait "$OBSERVO_PID" 2>/dev/null || true

# 3. A corrupt counters file: warning, kept aside, fresh start, no crash.
printf '{"version": 1, "services": [trunc' >"$WORK/state/counters.json"
curl -sfk -X POST "$FAKE/__reset" >/dev/null
rm -f "$WORK/state/trace_ids.bin"
run_env corrupt AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=env-secret -- server --config "$WORK/observo.yaml" --listen-address 127.0.0.1 --port 0 --region us-east-1
wait_for 'xray_service_requests_total{service="front"}' 4
grep -q "is unusable" "$WORK/corrupt.log" || fail "no warning about the corrupt state"
ls "$WORK/state"/counters.json.corrupt-* >/dev/null 2>&1 || fail "corrupt file not kept aside"
echo "corrupt state: kept aside, fresh start"
kill "$OBSERVO_PID"; wait "$OBSERVO_PID" 2>/dev/null || true

# 4. Credentials from the other providers: each run must make validly signed calls with the
# provider's key (and session token), seen by the fake.
keys_seen() { curl -sfk "$FAKE/__stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['keys'].get('$1', 0))"; }
run_provider() {  # run_provider NAME KEY ENV...
  local name=$1 key=$2
  shift 2
  write_config "$WORK/$name.yaml" "$WORK/state-$name"
  local before
  before=$(keys_seen "$key")
  run_env "$name" "$@" -- server --config "$WORK/$name.yaml" --listen-address 127.0.0.1 --port 0
  for _ in $(seq 1 50); do
    [ "$(keys_seen "$key")" -gt "$before" ] && break
    sleep 0.1
  done
  [ "$(keys_seen "$key")" -gt "$before" ] || fail "$name: no request signed with $key"
  wait_for 'observo_source_up{source="xray"}' 1
  kill "$OBSERVO_PID"; wait "$OBSERVO_PID" 2>/dev/null || true
  echo "credentials from $name: signed with $key"
}
printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n\n[prod]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n' >"$WORK/credentials"
printf '[profile prod]\nregion = us-west-2\n' >"$WORK/config"
run_provider shared-files AKIDFILE AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials" \
  AWS_CONFIG_FILE="$WORK/config" AWS_PROFILE=prod
printf 'eyJ.web-identity.token\n' >"$WORK/web-identity-token"
run_provider web-identity ASIASTS AWS_REGION=us-east-1 AWS_ROLE_ARN=arn:aws:iam::123456789012:role/observo \
  AWS_WEB_IDENTITY_TOKEN_FILE="$WORK/web-identity-token"
printf 'pod-identity-token' >"$WORK/pod-token"
run_provider container ASIACONT AWS_REGION=us-east-1 \
  AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:$HTTP_PORT/creds" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$WORK/pod-token"
# IMDSv2 only when enabled, and here at a loopback endpoint (never 169.254.169.254 in tests).
run_provider imds ASIAIMDS AWS_REGION=us-east-1 OBSERVO_XRAY_IMDS_ENABLED=true \
  OBSERVO_XRAY_IMDS_ENDPOINT="http://127.0.0.1:$HTTP_PORT"
grep -q "env-secret\|file-secret\|sts-secret\|container-secret\|sts-session-token" "$WORK"/*.log &&
  fail "a secret appeared in a log"
echo "all providers ok; no secret in the logs"

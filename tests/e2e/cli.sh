#!/usr/bin/env bash
# The CLI through the real binary: exit codes, error lines, seed-compatible flag forms,
# config check, and graceful shutdown on SIGTERM and SIGINT.
source "$(dirname "$0")/lib.bash"

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stdout+stderr match PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 2
  local out code=0
  out=$("$@" 2>&1) || code=$?
  [ "$code" = "$want" ] || fail "'$*' exited $code, want $want; output: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "'$*' output lacks /$pattern/: $out"
}

expect 0 '^observo [0-9]+\.[0-9]+\.[0-9]+ \(revision ' "$OBSERVO" version
# The revision is read at build time: a binary built from a checkout names its commit.
if head=$(git -C "$SOURCE_DIR" rev-parse --short=12 HEAD 2>/dev/null); then
  expect 0 "\\(revision $head\\)\$" "$OBSERVO" version
fi
expect 0 'server' "$OBSERVO" --help
for sub in server health query scripts "config check" version; do
  # shellcheck disable=SC2086
  expect 0 'Usage|Options' "$OBSERVO" $sub --help
done
expect 2 'no command given' "$OBSERVO"
expect 2 'bogus' "$OBSERVO" bogus
# Pixie commands without a configured cluster: exit 2 naming pixie.clusters; the script
# catalogue needs no cluster. (tests/integration/pixie_cli_test.cpp runs them against a fake Vizier.)
expect 2 'pixie.clusters' "$OBSERVO" health
expect 2 'pixie.clusters' "$OBSERVO" query 'import px'
expect 0 '^http_overview +Application' "$OBSERVO" scripts list
expect 0 '^pod_overview +Infrastructure' "$OBSERVO" --list-scripts
expect 0 'start_time \(time, default -5m\)' "$OBSERVO" --script-help http_overview
expect 2 "unknown script 'nope'" "$OBSERVO" --script-help nope
expect 2 'pixie.clusters' "$OBSERVO" --builtin-script http_overview --script-params "start_time=-5m,namespace=default"
expect 2 "has no parameter 'bogus'" "$OBSERVO" --builtin-script http_overview --script-params "bogus=1"
expect 2 'needs --builtin-script' "$OBSERVO" --script-params "a=b"

# config check: the example is valid and prints every section; errors name key and line.
expect 0 'listen_address' "$OBSERVO" config check --config "$SOURCE_DIR/config.example.yaml"
printf 'server:\n  port: 70000\n' >"$WORK/bad-range.yaml"
expect 2 'bad-range.yaml:2.*server.port.*70000' "$OBSERVO" config check --config "$WORK/bad-range.yaml"
printf 'server:\n  prot: 8080\n' >"$WORK/bad-key.yaml"
expect 2 'bad-key.yaml:2.*server.prot' "$OBSERVO" config check --config "$WORK/bad-key.yaml"
printf 'server:\n  port: [1\n' >"$WORK/bad-syntax.yaml"
expect 2 'bad-syntax.yaml:[0-9]+' "$OBSERVO" config check --config "$WORK/bad-syntax.yaml"
expect 2 'log.level' "$OBSERVO" config check --log-level loud
OBSERVO_SERVER_PORT=abc expect 2 'OBSERVO_SERVER_PORT' "$OBSERVO" config check
expect 2 'server.port' "$OBSERVO" server --port 99999

# config check reads what the configuration points at, as `observo server` and the Pixie
# commands do when they start: Pixie certificates, keys, the JWT signing key, the scripts.
# --syntax-only checks the configuration alone (a ConfigMap written for another machine).
pixie_yaml() {  # ca_cert client_cert client_key [scripts]
  printf 'pixie:\n  enabled: true\n  clusters:\n    - id: prod\n      address: vizier:50300\n' >"$WORK/pixie.yaml"
  printf '      ca_cert: %s\n      client_cert: %s\n      client_key: %s\n' "$1" "$2" "$3" >>"$WORK/pixie.yaml"
  printf '      jwt_signing_key_file: jwt.key\n  scripts: [%s]\n' "${4:-resource_usage}" >>"$WORK/pixie.yaml"
}
make_cert() {  # name days
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -days "$2" -keyout "$WORK/$1.key" -out "$WORK/$1.crt" 2>/dev/null || fail "openssl req $1"
}
make_cert ca 365
make_cert client 365
make_cert other 365
make_cert soon 3
printf 'jwt-signing-key\n' >"$WORK/jwt.key"
pixie_yaml ca.crt client.crt client.key
expect 0 'configuration OK$' "$OBSERVO" config check --config "$WORK/pixie.yaml"
pixie_yaml missing.crt client.crt client.key
expect 2 "pixie.clusters\[0\].ca_cert: cannot read '$WORK/missing.crt': No such file or directory" \
  "$OBSERVO" config check --config "$WORK/pixie.yaml"
expect 0 'configuration OK \(syntax only' "$OBSERVO" config check --syntax-only --config "$WORK/pixie.yaml"
pixie_yaml ca.crt client.crt other.key
expect 2 "pixie.clusters\[0\].client_key: '$WORK/other.key' does not match the certificate in '$WORK/client.crt'" \
  "$OBSERVO" config check --config "$WORK/pixie.yaml"
pixie_yaml ca.key client.crt client.key
expect 2 "pixie.clusters\[0\].ca_cert: '$WORK/ca.key' does not hold a PEM certificate" \
  "$OBSERVO" config check --config "$WORK/pixie.yaml"
pixie_yaml soon.crt client.crt client.key
expect 0 "warning: pixie.clusters\[0\].ca_cert: the certificate in '$WORK/soon.crt' expires in less than 7 days" \
  "$OBSERVO" config check --config "$WORK/pixie.yaml"
pixie_yaml ca.crt client.crt client.key "resource_usage, nope"
expect 2 "pixie.scripts: unknown script 'nope'" "$OBSERVO" config check --config "$WORK/pixie.yaml"
# The same configuration stops the server at start with the same message.
expect 1 "pixie.scripts: unknown script 'nope'" "$OBSERVO" server --config "$WORK/pixie.yaml" --listen-address 127.0.0.1 --port 0
printf 'server:\n  tls:\n    enabled: true\n    cert_file: nope.crt\n    key_file: nope.key\n' >"$WORK/tls.yaml"
expect 2 "tls.yaml:4: server.tls.cert_file: cannot read" "$OBSERVO" config check --config "$WORK/tls.yaml"
expect 0 'syntax only' "$OBSERVO" config check --syntax-only --config "$WORK/tls.yaml"

# A bearer token given through the environment is used but never printed.
printf 'server:\n  auth:\n    mode: bearer\n    bearer_tokens_env: E2E_TOKENS\n' >"$WORK/auth.yaml"
out=$(E2E_TOKENS=s3cr3t-token-value "$OBSERVO" config check --config "$WORK/auth.yaml" 2>&1) || fail "config check with auth: $out"
grep -q 's3cr3t-token-value' <<<"$out" && fail "config check printed the secret token"
grep -q 'redacted' <<<"$out" || fail "config check does not say the token is redacted"

# Seed form --server --port, then SIGTERM: graceful exit 0.
start_observo seed --server --listen-address 127.0.0.1 --port 0
metrics=$(curl -sf "http://127.0.0.1:$OBSERVO_PORT/metrics") || fail "seed --server: GET /metrics"
grep -q '^observo_connector_up 1$' <<<"$metrics" || fail "seed --server: observo_connector_up 1 missing"
kill -TERM "$OBSERVO_PID"
code=0; wait "$OBSERVO_PID" || code=$?
[ "$code" = 0 ] || fail "observo exited $code after SIGTERM"
grep -q 'shutting down' "$WORK/seed.log" || fail "no shutdown log line"

# JSON logs, then SIGINT.
start_observo jsonlog server --listen-address 127.0.0.1 --port 0 --log-format json
head -n 1 "$WORK/jsonlog.log" | python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); assert d["level"]=="info" and "msg" in d' \
  || fail "--log-format json does not write JSON lines"
kill -INT "$OBSERVO_PID"
code=0; wait "$OBSERVO_PID" || code=$?
[ "$code" = 0 ] || fail "observo exited $code after SIGINT"

# A port already in use: the operation ran and failed, exit 1, one clear line.
start_observo holder server --listen-address 127.0.0.1 --port 0
expect 1 'cannot start the HTTP server' "$OBSERVO" server --listen-address 127.0.0.1 --port "$OBSERVO_PORT"
echo "cli: all checks passed"

# Helpers shared by the end-to-end scripts: start the real binary on a free loopback port,
# wait for it, and clean up whatever a test started, also when it fails.
set -euo pipefail

OBSERVO=${1:?usage: $0 OBSERVO_BINARY SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 OBSERVO_BINARY SOURCE_DIR}
WORK=$(mktemp -d /tmp/observo-e2e.XXXXXX)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in "$WORK"/*.log; do
    [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
  done
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_observo LOGNAME ARGS...: starts observo server on 127.0.0.1 with a kernel-chosen port,
# sets OBSERVO_PID and OBSERVO_PORT from its "listening on" log line.
start_observo() {
  local log="$WORK/$1.log"
  shift
  "$OBSERVO" "$@" >"$log" 2>&1 &
  OBSERVO_PID=$!
  PIDS+=("$OBSERVO_PID")
  for _ in $(seq 1 100); do
    OBSERVO_PORT=$(sed -n 's/.*listening on https\{0,1\}:\/\/[^ ]*:\([0-9]\+\).*/\1/p' "$log" | head -n 1)
    if [ -n "$OBSERVO_PORT" ] && curl -sf "http://127.0.0.1:$OBSERVO_PORT/ready" >/dev/null; then
      return 0
    fi
    kill -0 "$OBSERVO_PID" 2>/dev/null || fail "observo exited during start-up"
    sleep 0.1
  done
  fail "observo did not become ready within 10 s"
}

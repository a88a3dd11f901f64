# The Dockerfile's runtime stage must install every package that provides a shared library of
# the built binary (no Docker engine runs here, so this is what can be checked without one),
# and its HEALTHCHECK command must pass against a real observo and fail without one.
# Usage: bash dockerfile_libs.sh OBSERVO_BINARY SOURCE_DIR
source "$(dirname "$0")/lib.bash"

DOCKERFILE="$SOURCE_DIR/Dockerfile"
[ -f "$DOCKERFILE" ] || fail "no Dockerfile in $SOURCE_DIR"
command -v ldd >/dev/null && command -v dpkg >/dev/null || { echo "SKIP: needs ldd and dpkg"; exit 77; }

# Packages debian:12-slim always has (essential, or dependencies of apt): libc6 (libc, libm,
# ld-linux), libgcc-s1 and libstdc++6. Everything else must be named by the runtime stage.
BASE_PACKAGES="libc6 libgcc-s1 libstdc++6"

# The runtime stage: from the last FROM line to the end, continuation lines joined.
runtime=$(awk '/^FROM /{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' "$DOCKERFILE" |
  sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta')
echo "$runtime" | grep -q '^FROM debian:12-slim' || fail "the last stage is not FROM debian:12-slim"

# Package names of every `apt-get install` in that stage: words after "install" up to the next
# shell operator, options (-y, --no-install-recommends) left out.
installed=$(echo "$runtime" | grep -o 'apt-get install[^&;|]*' |
  sed 's/^apt-get install//' | tr -s ' \t' '\n' | grep -v '^-' | grep -v '^$' | sort -u)
[ -n "$installed" ] || fail "no apt-get install in the runtime stage"
echo "$installed" | grep -qx ca-certificates || fail "runtime stage does not install ca-certificates"

# Every library ldd resolves, mapped to its package.
ldd_out=$(ldd "$OBSERVO") || fail "ldd $OBSERVO failed"
echo "$ldd_out" | grep -q 'not found' && fail "ldd: unresolved libraries: $(echo "$ldd_out" | grep 'not found')"
libs=$(echo "$ldd_out" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
[ -n "$libs" ] || fail "ldd listed no libraries"
missing=()
checked=0
for lib in $libs; do
  pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true)
  pkg=${pkg%%:*}
  [ -n "$pkg" ] || fail "no Debian package provides $lib (dpkg -S)"
  checked=$((checked + 1))
  case " $BASE_PACKAGES " in *" $pkg "*) continue ;; esac
  echo "$installed" | grep -qx "$pkg" || missing+=("$pkg ($lib)")
done
if ((${#missing[@]})); then
  printf 'FAIL: the runtime stage of the Dockerfile does not install: %s\n' "${missing[@]}" >&2
  exit 1
fi
echo "ok: $checked libraries, all provided by installed or base packages"

# The rest of what the image promises.
echo "$runtime" | grep -Eq '^USER 10001(:10001)?$' || fail "runtime stage does not run as USER 10001"
expose=$(echo "$runtime" | sed -n 's/^EXPOSE //p' | tr ' ' '\n' | sed 's,/tcp$,,' | sort | tr '\n' ' ')
[ "$expose" = "2000/udp 4317 4318 8080 " ] || fail "EXPOSE lists '$expose', want 8080 4317 4318 2000/udp"
echo "$runtime" | grep -q '^COPY config.example.yaml /etc/observo/observo.yaml$' || fail "example config not copied to /etc/observo/observo.yaml"
echo "$runtime" | grep -q '^ENTRYPOINT \["/usr/local/bin/observo"\]$' || fail "ENTRYPOINT is not observo"
echo "$runtime" | grep -q '^CMD \["server", "--config", "/etc/observo/observo.yaml"\]$' || fail "CMD is not server --config /etc/observo/observo.yaml"
"$OBSERVO" config check --config "$SOURCE_DIR/config.example.yaml" >/dev/null 2>&1 || fail "config.example.yaml does not pass config check"

# HEALTHCHECK: run its exec-form command (JSON array) with bash against a real server.
hc_json=$(echo "$runtime" | sed -n 's/^HEALTHCHECK .* CMD \(\[.*\]\)$/\1/p')
[ -n "$hc_json" ] || fail "no exec-form HEALTHCHECK in the runtime stage"
python3 - "$hc_json" >"$WORK/hc.cmd" <<'PY' || fail "HEALTHCHECK is not a bash -c command in JSON: $hc_json"
import json, sys
argv = json.loads(sys.argv[1])
assert argv[:2] == ["bash", "-c"] and len(argv) == 3
print(argv[2])
PY
start_observo hc server --listen-address 127.0.0.1 --port 0
OBSERVO_SERVER_PORT=$OBSERVO_PORT timeout 10 bash -c "$(cat "$WORK/hc.cmd")" ||
  fail "HEALTHCHECK command failed against observo on port $OBSERVO_PORT"
kill "$OBSERVO_PID"; wait "$OBSERVO_PID" 2>/dev/null || true
if OBSERVO_SERVER_PORT=$OBSERVO_PORT timeout 10 bash -c "$(cat "$WORK/hc.cmd")" 2>/dev/null; then
  fail "HEALTHCHECK command passed with observo stopped"
fi
echo "ok: HEALTHCHECK passes against a running observo and fails without one"
echo "PASS"

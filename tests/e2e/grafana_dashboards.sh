#!/usr/bin/env bash
# deploy/grafana/: the Grafana dashboards and provisioning files.
#   (a) every dashboard is valid JSON with a unique uid and title, the `datasource` variable,
#       panels with a type, a gridPos inside the 24-column grid, unique ids and no overlaps, and
#       targets (and query variables) that use the ${datasource} variable;
#   (b) the provisioning files parse and load the folder the kustomization names; the
#       kustomization generates exactly one labelled ConfigMap per dashboard file;
#   (c) every expression is valid PromQL: Grafana variables are substituted and promtool checks
#       one recording rule per expression (a failure names the dashboard and the panel);
#   (d) every metric name the dashboards use (tests/e2e/dashboard_metrics.py) is documented in
#       docs/metrics.md or is one of the Beyla/OpenTelemetry names observo passes through.
# Then it breaks copies of deploy/grafana in typical ways and expects each break to be caught.
# Usage: bash grafana_dashboards.sh OBSERVO_BINARY SOURCE_DIR
source "$(dirname "$0")/lib.bash"

command -v promtool >/dev/null || { echo "SKIP: promtool not installed (scripts/setup.sh installs it)"; exit 77; }
PY=/usr/bin/python3
"$PY" -c 'import yaml' 2>/dev/null ||
  { echo "SKIP: needs Debian's python3-yaml for /usr/bin/python3 (scripts/setup.sh installs it)"; exit 77; }

GRAFANA="$SOURCE_DIR/deploy/grafana"
DOCS="$SOURCE_DIR/docs/metrics.md"
TOOL="$SOURCE_DIR/tests/e2e/dashboard_metrics.py"
for f in "$GRAFANA/kustomization.yaml" "$GRAFANA/provisioning/datasources/observo.yaml" \
         "$GRAFANA/provisioning/dashboards/observo.yaml" "$DOCS" "$TOOL"; do
  [ -f "$f" ] || fail "$f missing"
done

cat >"$WORK/check.py" <<'PY'
# check.py GRAFANA_DIR METRICS_MD TOOL RULES_OUT: checks (a), (b), (d) and writes the rules file
# for (c), one group per expression named "dashboard / panel / #n".
import json, os, re, subprocess, sys
import yaml

root, docs_path, tool, rules_out = sys.argv[1:5]
sys.path.insert(0, os.path.dirname(os.path.abspath(tool)))
import dashboard_metrics as dm

errors = []
def err(msg): errors.append(msg)

DS = {"type": "prometheus", "uid": "${datasource}"}
PANEL_TYPES = {"timeseries", "stat", "table", "row"}
ALLOWED_EXTERNAL = {f"{b}_{s}" for b in ("http_server_request_duration_seconds",
                                         "http_client_request_duration_seconds")
                    for s in ("bucket", "sum", "count")} | {"beyla_network_flow_bytes_total", "target_info"}

# The tokenizer on a known expression, and on one it must refuse.
got = dm.metric_names('sum by (job, le) (rate(a_bucket{x=~"$v", y="{b}"}[$__rate_interval] offset 1h))'
                      ' / on(job) group_left(version) b_info * 1e3 > bool 0.5 and c_total unless ${w} @ start()')
if got != {"a_bucket", "b_info", "c_total"}:
    err(f"dashboard_metrics.py self-test: got {sorted(got)}")
try:
    dm.metric_names('rate(a_total{x="y}[5m])')
    err("dashboard_metrics.py self-test: an unterminated string was accepted")
except dm.TokenizeError:
    pass
if dm.variable_query_exprs('label_values(m_total{a="b"}, job)') != ['m_total{a="b"}']:
    err("dashboard_metrics.py self-test: label_values")

# (b) provisioning and kustomization.
kust = yaml.safe_load(open(os.path.join(root, "kustomization.yaml")))
ds_prov = yaml.safe_load(open(os.path.join(root, "provisioning/datasources/observo.yaml")))
db_prov = yaml.safe_load(open(os.path.join(root, "provisioning/dashboards/observo.yaml")))
dash_dir = os.path.join(root, "dashboards")
files = sorted(f for f in os.listdir(dash_dir) if f.endswith(".json"))
if not files:
    err("deploy/grafana/dashboards: no dashboards")
if kust.get("apiVersion") != "kustomize.config.k8s.io/v1beta1" or kust.get("kind") != "Kustomization":
    err("kustomization.yaml: apiVersion/kind is not kustomize.config.k8s.io/v1beta1 Kustomization")
if kust.get("namespace") != "observo":
    err(f"kustomization.yaml: namespace {kust.get('namespace')!r}, want 'observo'")
opts = kust.get("generatorOptions") or {}
if opts.get("disableNameSuffixHash") is not True:
    err("kustomization.yaml: generatorOptions.disableNameSuffixHash must be true")
if (opts.get("labels") or {}).get("grafana_dashboard") != "1":
    err('kustomization.yaml: generatorOptions.labels must have grafana_dashboard: "1"')
kfolder = (opts.get("annotations") or {}).get("grafana_folder")
listed = []
for g in kust.get("configMapGenerator") or []:
    for f in g.get("files") or []:
        listed.append(f.split("=", 1)[-1])
    if not str(g.get("name", "")).startswith("observo-dashboard-"):
        err(f"kustomization.yaml: ConfigMap {g.get('name')!r} is not named observo-dashboard-*")
want_listed = [f"dashboards/{f}" for f in files]
if sorted(listed) != want_listed:
    err(f"kustomization.yaml: configMapGenerator files {sorted(listed)} != the dashboards present {want_listed}")
if ds_prov.get("apiVersion") != 1:
    err("provisioning/datasources/observo.yaml: apiVersion must be 1")
dss = ds_prov.get("datasources") or []
if [(d.get("uid"), d.get("type")) for d in dss] != [("observo-prometheus", "prometheus")]:
    err(f"provisioning/datasources/observo.yaml: want one prometheus datasource with uid observo-prometheus, "
        f"got {[(d.get('uid'), d.get('type')) for d in dss]}")
elif not str(dss[0].get("url", "")).startswith(("http://", "https://")):
    err("provisioning/datasources/observo.yaml: url is not an http(s) URL")
provs = db_prov.get("providers") or []
if db_prov.get("apiVersion") != 1 or len(provs) != 1:
    err("provisioning/dashboards/observo.yaml: want apiVersion 1 and one provider")
else:
    p = provs[0]
    if p.get("type") != "file" or (p.get("options") or {}).get("path") != "/var/lib/grafana/dashboards/observo":
        err("provisioning/dashboards/observo.yaml: want a file provider loading /var/lib/grafana/dashboards/observo")
    if p.get("folder") != "observo" or kfolder != p.get("folder"):
        err(f"folder: provisioning says {p.get('folder')!r}, kustomization grafana_folder says {kfolder!r}, want 'observo'")

# (a) dashboards.
docs = {}
for line in open(docs_path):
    m = re.match(r"\|\s*`([A-Za-z_:][A-Za-z0-9_:]*)(?:\{[^`]*\})?`\s*\|\s*([a-z]+)\s*\|", line)
    if m:
        docs[m.group(1)] = m.group(2)
def documented(name):
    if name in docs or name in ALLOWED_EXTERNAL:
        return True
    m = re.fullmatch(r"(.+)_(bucket|sum|count)", name)
    return bool(m) and docs.get(m.group(1)) in ("histogram", "summary") and \
        (m.group(2) != "bucket" or docs.get(m.group(1)) == "histogram")

def substitute(expr):
    """Grafana variables replaced for promtool: intervals by durations, any variable inside a
    string (a matcher value) by .*; a variable left outside a string is an error."""
    out, i = [], 0
    while i < len(expr):
        c = expr[i]
        if c in "\"'`":
            j = dm._skip_string(expr, i)
            out.append(dm.VARIABLE.sub(".*", expr[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    s = "".join(out)
    for var, val in (("$__rate_interval", "5m"), ("$__interval", "1m"), ("$__range", "1h"),
                     ("${__rate_interval}", "5m"), ("${__interval}", "1m"), ("${__range}", "1h")):
        s = s.replace(var, val)
    left = dm.VARIABLE.search(s)
    if left:
        raise dm.TokenizeError(f"Grafana variable {left.group(0)} outside a label matcher")
    return s

uids, titles, groups = {}, {}, []
for f in files:
    path = os.path.join(dash_dir, f)
    try:
        d = json.load(open(path))
    except json.JSONDecodeError as e:
        err(f"{f}: invalid JSON: {e}"); continue
    stem = f[:-5]
    if d.get("uid") != f"observo-{stem}":
        err(f"{f}: uid {d.get('uid')!r}, want 'observo-{stem}'")
    if not str(d.get("title", "")).startswith("observo / "):
        err(f"{f}: title {d.get('title')!r} does not start with 'observo / '")
    for key, seen in (("uid", uids), ("title", titles)):
        if d.get(key) in seen:
            err(f"{f}: {key} {d.get(key)!r} also used by {seen[d.get(key)]}")
        seen[d.get(key)] = f
    for key, want in (("schemaVersion", 39), ("refresh", "30s"), ("time", {"from": "now-1h", "to": "now"})):
        if d.get(key) != want:
            err(f"{f}: {key} is {d.get(key)!r}, want {want!r}")
    if "observo" not in (d.get("tags") or []):
        err(f"{f}: tags {d.get('tags')} lack 'observo'")
    variables = {v.get("name"): v for v in (d.get("templating") or {}).get("list") or []}
    dsv = variables.get("datasource") or {}
    if dsv.get("type") != "datasource" or dsv.get("query") != "prometheus":
        err(f"{f}: no datasource variable of type datasource querying prometheus")
    for v in variables.values():
        if v.get("type") == "query" and v.get("datasource") != DS:
            err(f"{f}: variable {v.get('name')}: datasource {v.get('datasource')} is not {DS}")
    ids, boxes = set(), []
    for p in dm.panels(d.get("panels")):
        t = p.get("title", "?")
        where = f"{f}: panel {t!r}"
        if p.get("type") not in PANEL_TYPES:
            err(f"{where}: type {p.get('type')!r} not in {sorted(PANEL_TYPES)}")
        if p.get("id") in ids or not isinstance(p.get("id"), int):
            err(f"{where}: id {p.get('id')!r} missing or not unique")
        ids.add(p.get("id"))
        g = p.get("gridPos") or {}
        if not all(isinstance(g.get(k), int) for k in "hwxy") or g["w"] < 1 or g["h"] < 1 or g["x"] < 0 or g["x"] + g["w"] > 24:
            err(f"{where}: bad gridPos {g}")
        else:
            for other, og in boxes:
                if g["x"] < og["x"] + og["w"] and og["x"] < g["x"] + g["w"] and \
                   g["y"] < og["y"] + og["h"] and og["y"] < g["y"] + g["h"]:
                    err(f"{where}: gridPos {g} overlaps panel {other!r} {og}")
            boxes.append((t, g))
        if p.get("type") == "row":
            continue
        if p.get("datasource") != DS:
            err(f"{where}: datasource {p.get('datasource')} is not {DS}")
        targets = p.get("targets") or []
        if not targets:
            err(f"{where}: no targets")
        for tg in targets:
            if tg.get("datasource") != DS:
                err(f"{where}: target {tg.get('refId')}: datasource {tg.get('datasource')} is not {DS}")
            if not tg.get("expr"):
                err(f"{where}: target {tg.get('refId')} has no expr")
    for dash, title, expr in dm.exprs_of(path):
        where = f"{dash}: panel {title!r}"
        for m in re.finditer(r"\$\{?([A-Za-z0-9_]+)", expr):
            if not m.group(1).startswith("__") and m.group(1) not in variables:
                err(f"{where}: uses ${m.group(1)}, which is not a variable of the dashboard")
        for m in re.finditer(r"\[([^\]]*)\]", re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)):
            if m.group(1) != "$__rate_interval":
                err(f"{where}: range [{m.group(1)}], want [$__rate_interval]")
        # (d) metric names.
        try:
            names = dm.metric_names(expr)
            promql = substitute(expr)
        except dm.TokenizeError as e:
            err(f"{where}: cannot tokenize {expr!r}: {e}"); continue
        for n in sorted(names):
            if not documented(n):
                err(f"{where}: metric {n} is not in docs/metrics.md")
        groups.append({"name": f"{dash} / {title} / #{len(groups) + 1}",
                       "rules": [{"record": f"dashboard:expr_{len(groups) + 1}", "expr": promql}]})

# The CLI gives the same names (it is what the live end-to-end test uses).
cli = subprocess.run([sys.executable, tool, dash_dir], capture_output=True, text=True)
if cli.returncode != 0:
    err(f"dashboard_metrics.py exit {cli.returncode}: {cli.stderr.strip()}")
else:
    per_expr = set()
    for _, _, expr in (x for f in files for x in dm.exprs_of(os.path.join(dash_dir, f))):
        try:
            per_expr |= dm.metric_names(expr)
        except dm.TokenizeError:
            pass
    if set(cli.stdout.split()) != per_expr:
        err("dashboard_metrics.py prints other names than the per-panel check found")

with open(rules_out, "w") as fh:
    yaml.safe_dump({"groups": groups}, fh, sort_keys=False, width=1000)
for e in errors:
    print("ERROR: " + e)
print(f"checked {len(files)} dashboards, {len(groups)} expressions")
sys.exit(1 if errors else 0)
PY

# check_tree DIR: (a), (b), (d) in Python, then (c) with promtool. Output in $WORK/<name>.log.
check_tree() {
  local dir=$1 log=$2
  "$PY" "$WORK/check.py" "$dir" "$DOCS" "$TOOL" "$WORK/exprs.rules.yml" >"$log" 2>&1 || return 1
  if ! promtool check rules "$WORK/exprs.rules.yml" >"$WORK/promtool.log" 2>&1; then
    # promtool names the group: "dashboard / panel / #n".
    grep -o 'group "[^"]*".*' "$WORK/promtool.log" | sed 's/^/ERROR: promtool: /' >>"$log"
    grep -q 'ERROR: promtool' "$log" || cat "$WORK/promtool.log" >>"$log"
    return 1
  fi
  echo "promtool check rules: $(grep -o 'SUCCESS: [0-9]* rules found' "$WORK/promtool.log")" >>"$log"
}

# 1. deploy/grafana as it is.
check_tree "$GRAFANA" "$WORK/check.log" || { cat "$WORK/check.log" >&2; fail "deploy/grafana has errors"; }
cat "$WORK/check.log"
echo "metric names used: $("$PY" "$TOOL" "$GRAFANA/dashboards" | wc -l)"

# 2. Each typical mistake, made in a copy, is caught with the expected message.
expect_error() {  # expect_error DESCRIPTION EXPECTED_MESSAGE PYTHON_EDIT (run in the copy's directory)
  local desc=$1 want=$2 edit=$3 copy="$WORK/grafana-copy"
  rm -rf "$copy"; cp -r "$GRAFANA" "$copy"
  (cd "$copy" && "$PY" -c "$edit") || fail "mutation '$desc' could not be made"
  diff -rq "$GRAFANA" "$copy" >/dev/null && fail "mutation '$desc' changed nothing"
  if check_tree "$copy" "$WORK/mut.log"; then
    fail "mutation '$desc' was not detected"
  fi
  grep -qF -- "$want" "$WORK/mut.log" || { cat "$WORK/mut.log" >&2; fail "mutation '$desc': no error containing '$want'"; }
  echo "ok: caught $desc"
}
# edit_panel FILE TITLE PYTHON_STATEMENT_ON_p: Python that loads a dashboard, applies the
# statement to the panel with that title and writes it back.
edit_panel() {
  cat <<EOF
import json
path = "dashboards/$1"
d = json.load(open(path))
p = next(p for p in d["panels"] if p.get("title") == "$2")
before = json.dumps(p)
$3
assert json.dumps(p) != before, "the edit did not change the panel"
json.dump(d, open(path, "w"), indent=2)
EOF
}
expect_error "an unknown metric name" \
  "overview.json: panel 'Open connections': metric observo_http_connections_opened is not in docs/metrics.md" \
  "$(edit_panel overview.json "Open connections" \
     'p["targets"][0]["expr"] = p["targets"][0]["expr"].replace("observo_http_connections_open", "observo_http_connections_opened")')"
expect_error "a PromQL syntax error" \
  'promtool: group "xray.json / Top URLs / #' \
  "$(edit_panel xray.json "Top URLs" 'p["targets"][0]["expr"] = p["targets"][0]["expr"].replace("topk(20, ", "topk(20 ")')"
expect_error "a hard-coded datasource" \
  "netprobe.json: panel 'Bytes by protocol': target A: datasource" \
  "$(edit_panel netprobe.json "Bytes by protocol" 'p["targets"][0]["datasource"] = {"type": "prometheus", "uid": "prom1"}')"
expect_error "overlapping panels" \
  "pixie.json: panel 'Errors by service': gridPos" \
  "$(edit_panel pixie.json "Errors by service" 'p["gridPos"]["x"] -= 4')"
expect_error "a fixed rate range" \
  "beyla-otlp.json: panel 'Spans received': range [5m], want [\$__rate_interval]" \
  "$(edit_panel beyla-otlp.json "Spans received" 'p["targets"][0]["expr"] = p["targets"][0]["expr"].replace("$__rate_interval", "5m")')"
expect_error "a dashboard missing from kustomization.yaml" \
  "kustomization.yaml: configMapGenerator files" \
  "import re; s = open('kustomization.yaml').read(); open('kustomization.yaml', 'w').write(s.replace('      - dashboards/xray.json\n', '      - dashboards/overview.json\n'))"
expect_error "a provisioning folder other than the kustomization's" \
  "folder: provisioning says 'Observo'" \
  "s = open('provisioning/dashboards/observo.yaml').read(); open('provisioning/dashboards/observo.yaml', 'w').write(s.replace('folder: observo', 'folder: Observo'))"

# 3. Where kubectl is installed, kustomize renders one labelled ConfigMap per dashboard (offline).
if command -v kubectl >/dev/null 2>&1; then
  timeout 60 kubectl kustomize "$GRAFANA" >"$WORK/rendered.yaml" 2>"$WORK/kustomize.log" ||
    fail "kubectl kustomize deploy/grafana failed: $(cat "$WORK/kustomize.log")"
  "$PY" - "$WORK/rendered.yaml" "$GRAFANA/dashboards" <<'PY' || fail "kustomize output is not one ConfigMap per dashboard"
import json, os, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
files = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".json"))
got = {}
for d in docs:
    assert d["kind"] == "ConfigMap" and d["metadata"]["namespace"] == "observo", d["metadata"]
    assert d["metadata"]["labels"]["grafana_dashboard"] == "1", d["metadata"]
    for k, v in d["data"].items():
        got[k] = json.loads(v)["uid"]
assert sorted(got) == files, (sorted(got), files)
print(f"ok: kubectl kustomize renders {len(docs)} dashboard ConfigMaps")
PY
fi
echo "PASS"

#!/usr/bin/env bash
# deploy/prometheus/: promtool accepts the scrape configuration and the alert rules, the rules'
# unit tests pass, every required alert is there with `for`, a severity and annotations, and
# every metric name the rules query is documented in docs/metrics.md.
source "$(dirname "$0")/lib.bash"

command -v promtool >/dev/null || { echo "SKIP: promtool not installed (scripts/setup.sh installs it)"; exit 77; }
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml missing (scripts/setup.sh installs it)"

dir=$(cd "$SOURCE_DIR/deploy/prometheus" 2>/dev/null && pwd) || fail "$SOURCE_DIR/deploy/prometheus missing"
for f in prometheus.yml observo-rules.yml observo-rules.test.yml; do
  [ -f "$dir/$f" ] || fail "$dir/$f missing"
done

# 1. promtool check config (it also loads the rule_files). Debian's Prometheus is built without
# Kubernetes service discovery; there the kubernetes_sd_configs blocks are checked by the
# Python below and promtool checks a copy in which they are replaced by a static target, so
# everything else (relabelling, rule_files, the other jobs) is still checked by promtool.
if promtool check config "$dir/prometheus.yml" >"$WORK/check-config.log" 2>&1; then
  echo "promtool check config: OK"
elif grep -q 'field kubernetes_sd_configs not found' "$WORK/check-config.log"; then
  python3 - "$dir/prometheus.yml" "$WORK/prometheus.yml" <<'PY' || fail "kubernetes_sd_configs blocks"
import sys, yaml
src, dst = sys.argv[1], sys.argv[2]
cfg = yaml.safe_load(open(src))
roles = {"node", "service", "pod", "endpoints", "endpointslice", "ingress"}
replaced = 0
for job in cfg["scrape_configs"]:
    sds = job.pop("kubernetes_sd_configs", None)
    if sds is None:
        continue
    for sd in sds:
        unknown = set(sd) - {"role", "namespaces", "selectors", "api_server", "kubeconfig_file", "attach_metadata"}
        assert not unknown, f"{job['job_name']}: unknown kubernetes_sd_configs keys {unknown}"
        assert sd.get("role") in roles, f"{job['job_name']}: role {sd.get('role')!r}"
        assert sd.get("namespaces", {}).get("names") == ["observo"], f"{job['job_name']}: namespaces {sd.get('namespaces')}"
        for sel in sd.get("selectors", []):
            assert sel.get("role") in roles and set(sel) <= {"role", "label", "field"}, f"selector {sel}"
    job["static_configs"] = [{"targets": ["observo.observo.svc:8080"]}]
    replaced += 1
assert replaced >= 1, "no kubernetes_sd_configs job"
yaml.safe_dump(cfg, open(dst, "w"), sort_keys=False)
print(f"kubernetes_sd_configs: {replaced} job(s) checked and replaced by a static target for promtool")
PY
  cp "$dir/observo-rules.yml" "$WORK/"
  promtool check config "$WORK/prometheus.yml" >"$WORK/check-config.log" 2>&1 ||
    fail "promtool check config (Kubernetes SD replaced): $(cat "$WORK/check-config.log")"
  echo "promtool check config: OK (Kubernetes SD checked separately: this promtool has none)"
else
  fail "promtool check config: $(cat "$WORK/check-config.log")"
fi

# 2. promtool check rules and the unit tests (run from elsewhere: paths are relative to the files).
(cd "$WORK" && promtool check rules "$dir/observo-rules.yml") >"$WORK/check-rules.log" 2>&1 ||
  fail "promtool check rules: $(cat "$WORK/check-rules.log")"
grep -q 'SUCCESS: 8 rules found' "$WORK/check-rules.log" || fail "promtool check rules: $(cat "$WORK/check-rules.log")"
echo "promtool check rules: OK"
(cd "$WORK" && promtool test rules "$dir/observo-rules.test.yml") >"$WORK/test-rules.log" 2>&1 ||
  fail "promtool test rules: $(cat "$WORK/test-rules.log")"
echo "promtool test rules: OK"

# 3. Structure, and every metric name in the expressions documented in docs/metrics.md.
python3 - "$dir" "$SOURCE_DIR/docs/metrics.md" <<'PY' || fail "rules structure or metric names"
import re, sys, yaml
d, docs_path = sys.argv[1], sys.argv[2]
docs = open(docs_path).read()
cfg = yaml.safe_load(open(f"{d}/prometheus.yml"))
rules = yaml.safe_load(open(f"{d}/observo-rules.yml"))
tests = yaml.safe_load(open(f"{d}/observo-rules.test.yml"))
errors = []

# Scrape configuration: rule file loaded; every job named observo* and honouring labels.
if cfg.get("rule_files") != ["observo-rules.yml"]:
    errors.append(f"rule_files = {cfg.get('rule_files')}")
jobs = cfg.get("scrape_configs", [])
if not any("static_configs" in j for j in jobs) or not any("kubernetes_sd_configs" in j for j in jobs):
    errors.append("want a static job and a kubernetes_sd_configs job")
for j in jobs:
    if not j["job_name"].startswith("observo"):
        errors.append(f"job {j['job_name']}: name must start with observo (ObservoTargetDown)")
    if j.get("honor_labels") is not True:
        errors.append(f"job {j['job_name']}: honor_labels must be true (OTLP series carry job/instance)")

# Alerts: the required set, each with for, severity and both annotations, each unit-tested
# both firing and silent.
want = {"ObservoTargetDown", "ObservoSourceDown", "PixieQueryFailures", "NetprobeInterfaceTrafficDrop",
        "XrayThrottling", "HighServiceErrorRate", "ServiceTrafficDrop", "ObservoCertificateExpiresSoon"}
alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}
if set(alerts) != want:
    errors.append(f"alerts {sorted(alerts)}, want {sorted(want)}")
for name, r in alerts.items():
    if not r.get("for"):
        errors.append(f"{name}: no for")
    if r.get("labels", {}).get("severity") not in ("warning", "critical"):
        errors.append(f"{name}: severity {r.get('labels', {}).get('severity')!r}")
    for a in ("summary", "description"):
        if not r.get("annotations", {}).get(a):
            errors.append(f"{name}: no {a} annotation")
fired, silent = set(), set()
for t in tests["tests"]:
    for c in t.get("alert_rule_test", []):
        (fired if c.get("exp_alerts") else silent).add(c["alertname"])
for name in sorted(want - fired):
    errors.append(f"{name}: no unit test where it fires")
for name in sorted(want - silent):
    errors.append(f"{name}: no unit test where it stays silent")

# Metric names: drop strings, label matchers, grouping clauses and ranges, then every
# identifier not followed by "(" (a function) and not a PromQL keyword is a metric name.
keywords = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
            "unless", "offset", "inf", "nan", "up"}
def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    e = re.sub(r"\{[^}]*\}", "", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\[[^\]]*\]", "", e)
    e = re.sub(r"\boffset\s+\w+", "", e)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        if e[m.end():].lstrip().startswith("(") or m.group(0).lower() in keywords:
            continue
        if re.fullmatch(r"\d+[smhdwy]|e\d+", m.group(0)):
            continue
        names.add(m.group(0))
    return names

# The extractor itself, on a known expression.
got = metric_names('sum by (job, x) (rate(a_total{s!="b c"}[5m] offset 1h)) / on(job) b_ratio > 0.2 and up == 0')
if got != {"a_total", "b_ratio"}:
    errors.append(f"extractor self-test: {sorted(got)}")

used = set()
for g in rules["groups"]:
    for r in g["rules"]:
        used |= metric_names(r["expr"])
for name in sorted(used):
    if not re.search(r"`" + re.escape(name) + r"[`{]", docs):
        errors.append(f"metric {name} is not in docs/metrics.md")
if len(used) < 6:
    errors.append(f"only {sorted(used)} found in the expressions")

if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
print(f"rules: {len(alerts)} alerts, each with for/severity/annotations and tests; "
      f"metrics documented: {', '.join(sorted(used))}")
PY
echo "PASS"

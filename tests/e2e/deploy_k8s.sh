# Checks the Kubernetes manifests in deploy/k8s the way `kubectl apply` and the kubelet would
# trip over them: every file parses and is listed in kustomization.yaml, kinds and apiVersions
# are real, names and namespaces are set, probes and Service/monitor ports point at container
# ports that the mounted observo config really listens on, the DaemonSet holds only the eBPF
# capabilities and is not privileged, every ConfigMap config passes `observo config check`, and
# the PrometheusRule holds exactly the groups of deploy/prometheus/observo-rules.yml.
# Then it breaks copies of the manifests in typical ways and expects each break to be caught.
# Usage: bash deploy_k8s.sh OBSERVO_BINARY SOURCE_DIR
source "$(dirname "$0")/lib.bash"

PY=/usr/bin/python3
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  echo "SKIP: needs Debian's python3-yaml for /usr/bin/python3 (scripts/setup.sh installs it)"
  exit 77
fi
K8S="$SOURCE_DIR/deploy/k8s"
[ -f "$K8S/kustomization.yaml" ] || fail "no $K8S/kustomization.yaml"
RULES="$SOURCE_DIR/deploy/prometheus/observo-rules.yml"
[ -f "$RULES" ] || fail "no $RULES"

cat >"$WORK/check.py" <<'PY'
import os, subprocess, sys, tempfile
import yaml

observo, root, rules_file = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []
def err(msg): errors.append(msg)

KNOWN = {
    ("v1", "Namespace"), ("v1", "ServiceAccount"), ("v1", "ConfigMap"), ("v1", "Secret"),
    ("v1", "Service"), ("v1", "PersistentVolumeClaim"),
    ("apps/v1", "DaemonSet"), ("apps/v1", "Deployment"),
    ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"), ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"), ("monitoring.coreos.com/v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
NS = "observo"

with open(os.path.join(root, "kustomization.yaml")) as f:
    kust = yaml.safe_load(f)
if kust.get("apiVersion") != "kustomize.config.k8s.io/v1beta1" or kust.get("kind") != "Kustomization":
    err("kustomization.yaml: apiVersion/kind is not kustomize.config.k8s.io/v1beta1 Kustomization")
if kust.get("namespace") != NS:
    err(f"kustomization.yaml: namespace is {kust.get('namespace')!r}, want {NS!r}")
resources = kust.get("resources") or []
files = sorted(f for f in os.listdir(root) if f.endswith((".yaml", ".yml")) and f != "kustomization.yaml")
for f in files:
    if f not in resources:
        err(f"{f}: not listed in kustomization.yaml resources")
for r in resources:
    if r not in files:
        err(f"kustomization.yaml: resource {r} does not exist")

objs = []  # (file, object)
for f in files:
    try:
        with open(os.path.join(root, f)) as fh:
            docs = [d for d in yaml.safe_load_all(fh) if d is not None]
    except yaml.YAMLError as e:
        err(f"{f}: YAML error: {e}")
        continue
    if not docs:
        err(f"{f}: no objects")
    for d in docs:
        if not isinstance(d, dict):
            err(f"{f}: a document is not a mapping"); continue
        av, kind = d.get("apiVersion"), d.get("kind")
        md = d.get("metadata") or {}
        where = f"{f}: {kind}/{md.get('name')}"
        if (av, kind) not in KNOWN:
            err(f"{where}: unknown apiVersion/kind {av} {kind}")
        if not md.get("name"):
            err(f"{f}: {kind} without metadata.name")
        if kind not in CLUSTER_SCOPED and md.get("namespace") != NS:
            err(f"{where}: metadata.namespace is {md.get('namespace')!r}, want {NS!r}")
        objs.append((f, d))

def of(kind): return [(f, o) for f, o in objs if o.get("kind") == kind]
def name(o): return o["metadata"]["name"]
def names(kind): return {name(o) for _, o in of(kind)}
def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())

if names("Namespace") != {NS}:
    err(f"namespace.yaml: want exactly the Namespace {NS}, got {sorted(names('Namespace'))}")

# ConfigMaps: every observo config passes `observo config check --syntax-only`.
configs = {}  # (configmap, key) -> parsed config
for f, cm in of("ConfigMap"):
    for key, text in (cm.get("data") or {}).items():
        if not key.endswith((".yaml", ".yml")):
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as tmp:
            tmp.write(text)
        # --syntax-only: the certificates and keys it names live in the pod's Secret mounts.
        res = subprocess.run([observo, "config", "check", "--syntax-only", "--config", tmp.name],
                             capture_output=True, text=True, timeout=30)
        os.unlink(tmp.name)
        if res.returncode != 0:
            err(f"{f}: ConfigMap {name(cm)} key {key}: observo config check exit {res.returncode}: "
                + (res.stderr.strip() or res.stdout.strip())[-400:])
        configs[(name(cm), key)] = yaml.safe_load(text) or {}

def port_of(listen):
    return int(str(listen).rsplit(":", 1)[1]) if listen else None

workloads = of("DaemonSet") + of("Deployment")
if {name(o) for _, o in of("DaemonSet")} != {"observo-node"} or {name(o) for _, o in of("Deployment")} != {"observo-poller"}:
    err("want one DaemonSet observo-node and one Deployment observo-poller")
pod_labels = {}   # workload name -> pod template labels
cports = {}       # workload name -> {port name: (number, protocol)}
for f, w in workloads:
    where = f"{f}: {w['kind']}/{name(w)}"
    spec = w.get("spec") or {}
    tmpl = spec.get("template") or {}
    labels = (tmpl.get("metadata") or {}).get("labels") or {}
    pod_labels[name(w)] = labels
    sel = (spec.get("selector") or {}).get("matchLabels") or {}
    if not matches(sel, labels):
        err(f"{where}: selector {sel} does not match the pod labels {labels}")
    pspec = tmpl.get("spec") or {}
    sa = pspec.get("serviceAccountName")
    if sa not in names("ServiceAccount"):
        err(f"{where}: serviceAccountName {sa!r} is not a ServiceAccount of the manifests")
    volumes = {v["name"]: v for v in pspec.get("volumes") or []}
    containers = pspec.get("containers") or []
    if len(containers) != 1:
        err(f"{where}: want one container, got {len(containers)}"); continue
    c = containers[0]
    if c.get("image") != "observo":
        err(f"{where}: image {c.get('image')!r}, want 'observo' (set by kustomization images)")
    ports = {}
    for p in c.get("ports") or []:
        ports[p.get("name")] = (p.get("containerPort"), p.get("protocol", "TCP"))
    cports[name(w)] = ports
    # The config the container runs: --config PATH in args, from a mounted ConfigMap.
    args = c.get("args") or []
    if "--config" not in args or args[0] != "server":
        err(f"{where}: args {args} do not run `server --config FILE`"); continue
    cfg_path = args[args.index("--config") + 1]
    cfg = None
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts") or []}
    for mp, m in mounts.items():
        vol = volumes.get(m["name"])
        if vol is None:
            err(f"{where}: volumeMount {m['name']} has no volume")
            continue
        if "configMap" in vol and cfg_path.startswith(mp.rstrip("/") + "/"):
            key = cfg_path[len(mp.rstrip("/")) + 1:]
            cfg = configs.get((vol["configMap"]["name"], key))
            if cfg is None:
                err(f"{where}: --config {cfg_path}: ConfigMap {vol['configMap']['name']} has no key {key}")
        if "secret" in vol and not m.get("readOnly"):
            err(f"{where}: secret volume {m['name']} is not mounted readOnly")
    if cfg is None:
        err(f"{where}: --config {cfg_path} is not a file of a mounted ConfigMap"); continue
    http_port = (cfg.get("server") or {}).get("port", 8080)
    if ports.get("http") != (http_port, "TCP"):
        err(f"{where}: container port http is {ports.get('http')}, the config serves on {http_port}/TCP")
    # Each enabled listener of the config has its container port, and nothing else is declared.
    want = {"http": (http_port, "TCP")}
    otlp = cfg.get("otlp") or {}
    if otlp.get("enabled"):
        want["otlp-grpc"] = (port_of(otlp.get("grpc_listen", "0.0.0.0:4317")), "TCP")
        want["otlp-http"] = (port_of(otlp.get("http_listen", "0.0.0.0:4318")), "TCP")
    xray = cfg.get("xray") or {}
    udp = xray.get("udp") or {}
    if xray.get("enabled") and udp.get("enabled", True):
        want["xray-udp"] = (udp.get("port", 2000), "UDP")
        if udp.get("listen_address", "127.0.0.1") in ("127.0.0.1", "::1"):
            err(f"{where}: xray.udp.listen_address is loopback; other pods cannot send segments")
    if ports != want:
        err(f"{where}: container ports {ports}, want {want} from the config")
    # Probes: liveness /health, readiness /ready, on the http port.
    for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready")):
        hg = (c.get(probe) or {}).get("httpGet") or {}
        if hg.get("path") != path:
            err(f"{where}: {probe} path {hg.get('path')!r}, want {path!r}")
        port = hg.get("port")
        if port != "http" and port != http_port:
            err(f"{where}: {probe} port {port!r} is not the http port ({http_port})")
    res = c.get("resources") or {}
    for part in ("requests", "limits"):
        if not all(k in (res.get(part) or {}) for k in ("cpu", "memory")):
            err(f"{where}: resources.{part} needs cpu and memory")
    sc = c.get("securityContext") or {}
    if sc.get("privileged") is not False:
        err(f"{where}: securityContext.privileged must be false, is {sc.get('privileged')!r}")
    if sc.get("allowPrivilegeEscalation") is not False:
        err(f"{where}: securityContext.allowPrivilegeEscalation must be false")
    caps = sc.get("capabilities") or {}
    if caps.get("drop") != ["ALL"]:
        err(f"{where}: capabilities.drop must be [ALL], is {caps.get('drop')}")
    # Secret files named by the config lie under a mounted Secret.
    secret_dirs = [mp.rstrip("/") + "/" for mp, m in mounts.items() if "secret" in volumes.get(m["name"], {})]
    for cl in (cfg.get("pixie") or {}).get("clusters") or []:
        for k in ("ca_cert", "client_cert", "client_key", "jwt_signing_key_file"):
            if cl.get(k) and not any(cl[k].startswith(d) for d in secret_dirs):
                err(f"{where}: pixie cluster {cl.get('id')} {k} {cl[k]} is not in a mounted Secret")
    if w["kind"] == "DaemonSet":
        if pspec.get("hostNetwork") is not True:
            err(f"{where}: hostNetwork must be true")
        if pspec.get("dnsPolicy") != "ClusterFirstWithHostNet":
            err(f"{where}: dnsPolicy must be ClusterFirstWithHostNet")
        if sorted(caps.get("add") or []) != ["BPF", "NET_ADMIN", "PERFMON"]:
            err(f"{where}: capabilities.add must be exactly BPF, NET_ADMIN, PERFMON, is {caps.get('add')}")
        if not (cfg.get("netprobe") or {}).get("enabled") or not otlp.get("enabled"):
            err(f"{where}: its config must enable netprobe and otlp")
        for path in ("/sys/fs/bpf", "/sys/kernel/btf"):
            m = mounts.get(path)
            vol = volumes.get(m["name"]) if m else None
            if not m or not vol or (vol.get("hostPath") or {}).get("path") != path:
                err(f"{where}: {path} is not mounted from the hostPath {path}")
            elif m.get("readOnly") is not True:
                err(f"{where}: {path} must be mounted readOnly")
    else:
        if caps.get("add"):
            err(f"{where}: adds capabilities {caps['add']}; the poller needs none")
        if spec.get("replicas") != 1:
            err(f"{where}: replicas must be 1, is {spec.get('replicas')}")
        if (spec.get("strategy") or {}).get("type") != "Recreate":
            err(f"{where}: strategy must be Recreate")
        if not (cfg.get("pixie") or {}).get("enabled") or not xray.get("enabled"):
            err(f"{where}: its config must enable pixie and xray")
        data_dir = xray.get("data_dir")
        m = mounts.get(data_dir)
        vol = volumes.get(m["name"]) if m else None
        claim = ((vol or {}).get("persistentVolumeClaim") or {}).get("claimName")
        if claim not in names("PersistentVolumeClaim"):
            err(f"{where}: xray.data_dir {data_dir!r} is not mounted from a PersistentVolumeClaim of the manifests")
        elif m.get("readOnly"):
            err(f"{where}: xray.data_dir must be writable")
        psc = pspec.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True or psc.get("runAsUser") != 10001:
            err(f"{where}: must run as non-root uid 10001")
        for _, sa_obj in of("ServiceAccount"):
            if name(sa_obj) == sa and "eks.amazonaws.com/role-arn" not in ((sa_obj["metadata"].get("annotations")) or {}):
                err(f"{where}: ServiceAccount {sa} has no eks.amazonaws.com/role-arn annotation")

def workload_for(selector):
    return [n for n, labels in pod_labels.items() if matches(selector, labels)]

# Services: the selector picks exactly one workload, and every port targets its container port.
svc_ports = {}
for f, s in of("Service"):
    where = f"{f}: Service/{name(s)}"
    sel = (s.get("spec") or {}).get("selector") or {}
    ws = workload_for(sel)
    if len(ws) != 1:
        err(f"{where}: selector {sel} matches workloads {ws}, want exactly one"); continue
    svc_ports[name(s)] = s
    cp = cports.get(ws[0], {})
    for p in s["spec"].get("ports") or []:
        tp = p.get("targetPort", p.get("port"))
        proto = p.get("protocol", "TCP")
        hit = [n for n, (num, pr) in cp.items() if (tp == n or tp == num) and pr == proto]
        if not hit:
            err(f"{where}: port {p.get('name')} targets {tp}/{proto}, not a container port of {ws[0]} {cp}")
        elif cp[hit[0]][0] != p.get("port"):
            err(f"{where}: port {p.get('name')} is {p.get('port')} but the container port is {cp[hit[0]][0]}")
if not any(s["spec"].get("clusterIP") == "None" and workload_for(s["spec"]["selector"]) == ["observo-node"] for s in svc_ports.values()):
    err("service.yaml: no headless Service for the DaemonSet")
if not any(s["spec"].get("clusterIP") != "None" and workload_for(s["spec"]["selector"]) == ["observo-poller"] for s in svc_ports.values()):
    err("service.yaml: no ClusterIP Service for the Deployment")

for f, sm in of("ServiceMonitor"):
    where = f"{f}: ServiceMonitor/{name(sm)}"
    sel = ((sm.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    hits = [s for s in svc_ports.values() if matches(sel, s["metadata"].get("labels") or {})]
    if not hits:
        err(f"{where}: selector {sel} matches no Service's labels")
    for ep in sm["spec"].get("endpoints") or []:
        if ep.get("path", "/metrics") != "/metrics":
            err(f"{where}: endpoint path {ep.get('path')!r}, want /metrics")
        for s in hits:
            if ep.get("port") not in {p.get("name") for p in s["spec"]["ports"]}:
                err(f"{where}: endpoint port {ep.get('port')!r} is not a port name of Service {name(s)}")
for f, pm in of("PodMonitor"):
    where = f"{f}: PodMonitor/{name(pm)}"
    sel = ((pm.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    ws = workload_for(sel)
    if not ws:
        err(f"{where}: selector {sel} matches no workload's pods")
    for ep in pm["spec"].get("podMetricsEndpoints") or []:
        if ep.get("path", "/metrics") != "/metrics":
            err(f"{where}: endpoint path {ep.get('path')!r}, want /metrics")
        for wn in ws:
            if ep.get("port") not in cports.get(wn, {}):
                err(f"{where}: endpoint port {ep.get('port')!r} is not a container port name of {wn}")
if not of("ServiceMonitor") or not of("PodMonitor"):
    err("want a ServiceMonitor and a PodMonitor")

# PrometheusRule: the groups of deploy/prometheus/observo-rules.yml, so the two cannot drift.
with open(rules_file) as fh:
    want_groups = (yaml.safe_load(fh) or {}).get("groups")
if len(of("PrometheusRule")) != 1:
    err(f"want exactly one PrometheusRule, got {len(of('PrometheusRule'))}")
for f, pr in of("PrometheusRule"):
    got_groups = (pr.get("spec") or {}).get("groups")
    if got_groups != want_groups:
        diff = [g.get("name") for g in got_groups or [] if g not in (want_groups or [])]
        err(f"{f}: PrometheusRule/{name(pr)}: spec.groups differ from the groups of "
            f"{os.path.basename(rules_file)} (groups {diff or 'missing or reordered'})")

# NetworkPolicies: each selects a workload; together they open the ports observo serves and
# the egress it needs.
ingress_ports, egress_ports = set(), set()
for f, np in of("NetworkPolicy"):
    sel = ((np.get("spec") or {}).get("podSelector") or {}).get("matchLabels") or {}
    if not workload_for(sel):
        err(f"{f}: NetworkPolicy/{name(np)}: podSelector {sel} matches no workload")
    for rule in np["spec"].get("ingress") or []:
        ingress_ports |= {(p.get("port"), p.get("protocol", "TCP")) for p in rule.get("ports") or []}
    for rule in np["spec"].get("egress") or []:
        egress_ports |= {(p.get("port"), p.get("protocol", "TCP")) for p in rule.get("ports") or []}
for p in ((8080, "TCP"), (4317, "TCP"), (4318, "TCP"), (2000, "UDP")):
    if p not in ingress_ports:
        err(f"networkpolicy.yaml: no ingress rule for {p[0]}/{p[1]}")
for p in ((50300, "TCP"), (443, "TCP"), (53, "UDP")):
    if p not in egress_ports:
        err(f"networkpolicy.yaml: no egress rule for {p[0]}/{p[1]}")

for f, rb in of("RoleBinding") + of("ClusterRoleBinding"):
    ref = rb.get("roleRef") or {}
    if ref.get("name") not in names(ref.get("kind", "")):
        err(f"{f}: {rb['kind']}/{name(rb)}: roleRef {ref.get('kind')}/{ref.get('name')} does not exist")
    for s in rb.get("subjects") or []:
        if s.get("kind") == "ServiceAccount" and s.get("name") not in names("ServiceAccount"):
            err(f"{f}: {rb['kind']}/{name(rb)}: subject ServiceAccount {s.get('name')} does not exist")

for e in errors:
    print("ERROR: " + e)
print(f"checked {len(files)} files, {len(objs)} objects, {len(configs)} observo configs")
sys.exit(1 if errors else 0)
PY

# 1. The manifests as they are.
"$PY" "$WORK/check.py" "$OBSERVO" "$K8S" "$RULES" >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log" >&2; fail "deploy/k8s has errors"; }
cat "$WORK/check.log"

# 2. Each typical mistake, made in a copy, is caught with the expected message.
expect_error() {  # expect_error DESCRIPTION EXPECTED_MESSAGE FILE SED_SCRIPT
  local desc=$1 want=$2 file=$3 script=$4 copy="$WORK/k8s-copy"
  rm -rf "$copy"; cp -r "$K8S" "$copy"
  sed -i "$script" "$copy/$file"
  cmp -s "$K8S/$file" "$copy/$file" && fail "mutation '$desc' did not change $file"
  if "$PY" "$WORK/check.py" "$OBSERVO" "$copy" "$RULES" >"$WORK/mut.log" 2>&1; then
    fail "mutation '$desc' was not detected"
  fi
  grep -qF -- "$want" "$WORK/mut.log" || { cat "$WORK/mut.log" >&2; fail "mutation '$desc': no error containing '$want'"; }
  echo "ok: caught $desc"
}
expect_error "an extra capability" "capabilities.add must be exactly BPF, NET_ADMIN, PERFMON" \
  daemonset.yaml 's/add: \["BPF", "NET_ADMIN", "PERFMON"\]/add: ["BPF", "NET_ADMIN", "PERFMON", "SYS_ADMIN"]/'
expect_error "a privileged DaemonSet" "securityContext.privileged must be false" \
  daemonset.yaml 's/privileged: false/privileged: true/'
expect_error "a wrong liveness path" "livenessProbe path '/healthz'" \
  daemonset.yaml 's,path: /health$,path: /healthz,'
expect_error "a typo in the observo config" "observo config check exit" \
  configmap.yaml 's/collect_interval: 5s/colect_interval: 5s/'
expect_error "a server port the container does not declare" "the config serves on 9090/TCP" \
  configmap.yaml '0,/port: 8080/s//port: 9090/'
expect_error "a Service selector typo" "matches workloads [], want exactly one" \
  service.yaml '/^  selector:/,/component:/s/component: poller/component: pollr/'
expect_error "a file missing from kustomization.yaml" "pvc.yaml: not listed in kustomization.yaml resources" \
  kustomization.yaml '/- pvc.yaml/d'
expect_error "a wrong apiVersion" "unknown apiVersion/kind monitoring.coreos.com/v1beta1 PodMonitor" \
  podmonitor.yaml 's,monitoring.coreos.com/v1,monitoring.coreos.com/v1beta1,'
expect_error "a RollingUpdate poller" "strategy must be Recreate" \
  deployment.yaml 's/type: Recreate/type: RollingUpdate/'
expect_error "a PrometheusRule drifting from observo-rules.yml" \
  "PrometheusRule/observo: spec.groups differ from the groups of observo-rules.yml (groups ['observo-xray'])" \
  prometheusrule.yaml 's/> 0.05$/> 0.5/'
expect_error "a PrometheusRule with a wrong apiVersion" "unknown apiVersion/kind monitoring.coreos.com/v1alpha1 PrometheusRule" \
  prometheusrule.yaml 's,^apiVersion: monitoring.coreos.com/v1$,apiVersion: monitoring.coreos.com/v1alpha1,'

# 3. Where kubectl is installed, kustomize renders the whole set (offline).
if command -v kubectl >/dev/null 2>&1; then
  timeout 60 kubectl kustomize "$K8S" >"$WORK/rendered.yaml" 2>"$WORK/kustomize.log" ||
    fail "kubectl kustomize failed: $(cat "$WORK/kustomize.log")"
  "$PY" - "$WORK/rendered.yaml" <<'PY' || fail "kustomize output is not the expected set of objects"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
assert all(d["metadata"].get("namespace", "observo") == "observo" for d in docs)
images = {c["image"] for d in docs if d["kind"] in ("DaemonSet", "Deployment")
          for c in d["spec"]["template"]["spec"]["containers"]}
assert images == {"observo:latest"}, images
print(f"ok: kubectl kustomize renders {len(docs)} objects")
PY
fi
echo "PASS"

#!/usr/bin/env python3
"""Assertions on a rendered procgroup chart (the output of `helm template`).

Usage: chart_asserts.py <check> <rendered.yaml> [key=value ...]
Exit 0 when the check holds; otherwise print the reason on stderr and exit 1.
Used by helm/test-chart.sh; each check is independent of the others.
"""
import json
import os
import sys

import yaml

RELEASE_NS = "procgroup-system"
CHART_CRDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "procgroup", "crds")


def crd_plural():
    """The ProcessGroup CRD's plural, read from the chart's CRD copy (RBAC must name exactly this resource)."""
    if os.path.isdir(CHART_CRDS):
        for f in sorted(os.listdir(CHART_CRDS)):
            if f.endswith((".yml", ".yaml")):
                with open(os.path.join(CHART_CRDS, f)) as fh:
                    for d in yaml.safe_load_all(fh):
                        if d and d.get("kind") == "CustomResourceDefinition" and d["spec"]["group"] == "procgroup.dev":
                            return d["spec"]["names"]["plural"]
    return "procgroups"


PLURAL = crd_plural()
LEASE_NAME = "procgroup-operator"

# The operator's permissions, transcribed independently from operator/README.md
# ("Kubernetes permissions it needs"), leases excluded (they are checked separately). The README writes
# "processgroups"; the resource is the CRD's plural (PLURAL, "procgroups").
ALL7 = ["get", "list", "watch", "create", "patch", "update", "delete"]
EXPECTED_WORKLOAD_RULES = [
    (["procgroup.dev"], [PLURAL], ["get", "list", "watch", "patch", "update"]),
    (["procgroup.dev"], [PLURAL + "/status"], ["get", "patch", "update"]),
    (["procgroup.dev"], [PLURAL + "/finalizers"], ["update"]),
    (["apps"], ["deployments"], ALL7),
    (["autoscaling"], ["horizontalpodautoscalers"], ALL7),
    ([""], ["pods"], ["get", "list", "watch"]),
    ([""], ["services"], ["get", "list", "watch", "create", "patch", "delete"]),
    (["discovery.k8s.io"], ["endpointslices"], ["list", "watch"]),
    ([""], ["secrets"], ["create"]),
    ([""], ["serviceaccounts"], ALL7),
    (["networking.k8s.io"], ["networkpolicies"], ALL7),
    (["rbac.authorization.k8s.io"], ["roles", "rolebindings"], ALL7),
    ([""], ["events"], ["create", "patch"]),
    (["events.k8s.io"], ["events"], ["create", "patch"]),
]
EXPECTED_LEASE_TRIPLES = {
    ("coordination.k8s.io", "leases", "create", ""),
    ("coordination.k8s.io", "leases", "get", LEASE_NAME),
    ("coordination.k8s.io", "leases", "update", LEASE_NAME),
    # not in operator/README.md, but fabric8's LeaderElector renews the Lease with PATCH
    ("coordination.k8s.io", "leases", "patch", LEASE_NAME),
}

SIDECAR_ENV_DEFAULTS = {  # operator/README.md defaults, which the chart's defaults must reproduce
    "PROCGROUP_SIDECAR_ENABLED": "true",
    "PROCGROUP_SIDECAR_IMAGE": "docker.io/procgroup/sidecar:0.1.0",
    "PROCGROUP_SIDECAR_CPU_REQUEST": "50m",
    "PROCGROUP_SIDECAR_CPU_LIMIT": "",
    "PROCGROUP_SIDECAR_MEMORY_REQUEST": "64Mi",
    "PROCGROUP_SIDECAR_MEMORY_LIMIT": "128Mi",
    "PROCGROUP_SIDECAR_HUB_PORT": "7070",
    "PROCGROUP_SIDECAR_PEER_PORT": "7071",
    "PROCGROUP_SIDECAR_METRICS_PORT": "9464",
    "PROCGROUP_HTTP_PORT": "8080",
    "PROCGROUP_LOG_FORMAT": "json",
}


class Fail(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise Fail(msg)


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def of_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def one(docs, kind):
    found = of_kind(docs, kind)
    need(len(found) == 1, f"expected exactly one {kind}, found {len(found)}")
    return found[0]


IDENTITY_SUFFIX = "-identity"  # the peer-mTLS issuer's objects (templates/identity.yaml): <fullname>-identity


def is_identity(d):
    return d["metadata"]["name"].endswith(IDENTITY_SUFFIX)


def workload(docs, kind):
    """The one object of KIND that is not the identity issuer's (its ClusterRole, binding and Service are apart)."""
    found = [d for d in of_kind(docs, kind) if not is_identity(d)]
    need(len(found) == 1, f"expected exactly one {kind} besides the identity issuer's, found {len(found)}")
    return found[0]


def triples(rules):
    """Flatten RBAC rules into (apiGroup, resource, verb, resourceName) tuples."""
    out = set()
    for r in rules:
        names = r.get("resourceNames") or [""]
        for g in r.get("apiGroups", []):
            for res in r.get("resources", []):
                for v in r.get("verbs", []):
                    for n in names:
                        out.add((g, res, v, n))
    return out


def expected_workload_triples():
    return triples([{"apiGroups": g, "resources": r, "verbs": v} for g, r, v in EXPECTED_WORKLOAD_RULES])


def assert_workload_rules(rules, where):
    need(all(not r.get("nonResourceURLs") for r in rules), f"{where}: has nonResourceURLs")
    got = triples(rules)
    exp = expected_workload_triples()
    need(got == exp, f"{where}: rules differ from operator/README.md: extra={sorted(got - exp)} "
                     f"missing={sorted(exp - got)}")
    # also the exact rule shape (one rule per README line), so that a merge does not widen a cross product
    shape = [(sorted(r.get("apiGroups", [])), sorted(r.get("resources", [])), sorted(r.get("verbs", [])))
             for r in rules]
    exp_shape = [(sorted(g), sorted(r), sorted(v)) for g, r, v in EXPECTED_WORKLOAD_RULES]
    need(sorted(shape) == sorted(exp_shape), f"{where}: rule list shape differs: {shape}")


def env_of(container):
    out = {}
    for e in container.get("env", []):
        if "value" in e:
            out[e["name"]] = e["value"]
        else:
            out[e["name"]] = e.get("valueFrom")
    return out


def operator_container(docs):
    dep = one(docs, "Deployment")
    cs = dep["spec"]["template"]["spec"]["containers"]
    need(len(cs) == 1 and cs[0]["name"] == "operator", f"expected one container 'operator', got {[c['name'] for c in cs]}")
    return dep, cs[0]


def kv(args):
    out = {}
    for a in args:
        k, _, v = a.partition("=")
        out[k] = v
    return out


# ---------------------------------------------------------------- checks

def check_kinds(docs, args):
    """present=A,B absent=C,D (kinds)"""
    kinds = {d["kind"] for d in docs}
    for k in filter(None, args.get("present", "").split(",")):
        need(k in kinds, f"kind {k} not rendered (rendered: {sorted(kinds)})")
    for k in filter(None, args.get("absent", "").split(",")):
        need(k not in kinds, f"kind {k} rendered but should not be")


def check_no_wildcards(docs, args):
    roles = of_kind(docs, "ClusterRole") + of_kind(docs, "Role")
    need(roles or args.get("allow_none") == "1", "no Role/ClusterRole rendered")
    for r in roles:
        for rule in r.get("rules", []):
            for field in ("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"):
                vals = rule.get(field) or []
                need(not any("*" in v for v in vals), f"{r['kind']} {r['metadata']['name']}: '*' in {field}: {vals}")
            need("escalate" not in rule.get("verbs", []) and "bind" not in rule.get("verbs", [])
                 and "impersonate" not in rule.get("verbs", []),
                 f"{r['kind']} {r['metadata']['name']}: escalate/bind/impersonate granted")


def check_clusterrole_exact(docs, args):
    cr = workload(docs, "ClusterRole")
    assert_workload_rules(cr["rules"], f"ClusterRole {cr['metadata']['name']}")
    need(not any(t[1] == "leases" for t in triples(cr["rules"])), "ClusterRole grants leases (must be namespaced)")
    crb = workload(docs, "ClusterRoleBinding")
    need(crb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": cr["metadata"]["name"]}, f"ClusterRoleBinding roleRef wrong: {crb['roleRef']}")
    dep, _ = operator_container(docs)
    sa = dep["spec"]["template"]["spec"]["serviceAccountName"]
    need(crb["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": RELEASE_NS}],
         f"ClusterRoleBinding subjects wrong: {crb['subjects']}")


def check_namespaced_rbac(docs, args):
    """namespaces=a,b : a workload Role + RoleBinding per namespace, no ClusterRole(Binding) but the identity
    issuer's (tokenreviews are cluster-scoped; check_identity pins its one rule)."""
    nss = args["namespaces"].split(",")
    need(not [d for d in of_kind(docs, "ClusterRole") if not is_identity(d)], "ClusterRole rendered in namespaced mode")
    need(not [d for d in of_kind(docs, "ClusterRoleBinding") if not is_identity(d)],
         "ClusterRoleBinding rendered in namespaced mode")
    dep, c = operator_container(docs)
    sa = dep["spec"]["template"]["spec"]["serviceAccountName"]
    workload_roles = [r for r in of_kind(docs, "Role") if not r["metadata"]["name"].endswith("-leader-election")]
    need(sorted(r["metadata"]["namespace"] for r in workload_roles) == sorted(nss),
         f"workload Roles in {[r['metadata']['namespace'] for r in workload_roles]}, expected {nss}")
    for r in workload_roles:
        assert_workload_rules(r["rules"], f"Role {r['metadata']['namespace']}/{r['metadata']['name']}")
        rbs = [b for b in of_kind(docs, "RoleBinding") if b["metadata"]["namespace"] == r["metadata"]["namespace"]
               and b["roleRef"]["name"] == r["metadata"]["name"]]
        need(len(rbs) == 1, f"no RoleBinding for Role {r['metadata']['namespace']}/{r['metadata']['name']}")
        need(rbs[0]["roleRef"]["kind"] == "Role", "RoleBinding must reference a Role")
        need(rbs[0]["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": RELEASE_NS}],
             f"RoleBinding subjects wrong: {rbs[0]['subjects']}")
    env = env_of(c)
    need(env.get("PROCGROUP_WATCH_NAMESPACES") == ",".join(nss),
         f"PROCGROUP_WATCH_NAMESPACES={env.get('PROCGROUP_WATCH_NAMESPACES')!r}, expected {','.join(nss)!r}")


def lease_roles(docs):
    out = []
    for kind in ("Role", "ClusterRole"):
        for r in of_kind(docs, kind):
            if any(t[1] == "leases" for t in triples(r.get("rules", []))):
                out.append(r)
    return out


def check_leader_election(docs, args):
    """enabled=true|false [namespace=ns] [replicas=n]"""
    dep, c = operator_container(docs)
    env = env_of(c)
    enabled = args.get("enabled") == "true"
    lroles = lease_roles(docs)
    if not enabled:
        need(env.get("PROCGROUP_LEADER_ELECTION") == "false", f"PROCGROUP_LEADER_ELECTION={env.get('PROCGROUP_LEADER_ELECTION')!r}")
        need(not lroles, "Lease permissions rendered without leader election")
        need(dep["spec"]["strategy"]["type"] == "Recreate", "single operator must use the Recreate strategy")
        return
    ns = args.get("namespace", RELEASE_NS)
    need(env.get("PROCGROUP_LEADER_ELECTION") == "true", f"PROCGROUP_LEADER_ELECTION={env.get('PROCGROUP_LEADER_ELECTION')!r}")
    need(env.get("PROCGROUP_LEADER_ELECTION_NAMESPACE") == ns,
         f"PROCGROUP_LEADER_ELECTION_NAMESPACE={env.get('PROCGROUP_LEADER_ELECTION_NAMESPACE')!r}, expected {ns}")
    need(len(lroles) == 1, f"expected one Role with Lease permissions, found {len(lroles)}")
    r = lroles[0]
    need(r["kind"] == "Role" and r["metadata"]["namespace"] == ns, f"Lease permissions must be a Role in {ns}")
    need(triples(r["rules"]) == EXPECTED_LEASE_TRIPLES, f"Lease rules wrong: {sorted(triples(r['rules']))}")
    rbs = [b for b in of_kind(docs, "RoleBinding") if b["roleRef"]["name"] == r["metadata"]["name"]
           and b["metadata"]["namespace"] == ns]
    need(len(rbs) == 1, "no RoleBinding for the leader-election Role")
    sa = dep["spec"]["template"]["spec"]["serviceAccountName"]
    need(rbs[0]["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": RELEASE_NS}], "lease RoleBinding subjects wrong")
    need(dep["spec"]["strategy"]["type"] == "RollingUpdate", "leader election should roll (RollingUpdate)")
    if "replicas" in args:
        need(dep["spec"]["replicas"] == int(args["replicas"]), f"replicas={dep['spec']['replicas']}")


def effective(pod_sc, c_sc, key):
    if key in c_sc:
        return c_sc[key]
    return pod_sc.get(key)


def check_security(docs, args):
    pods = [d for d in docs if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job")]
    need(pods, "no workload rendered")
    for w in pods:
        spec = w["spec"]["template"]["spec"]
        psc = spec.get("securityContext") or {}
        need(psc.get("runAsNonRoot") is True, f"{w['metadata']['name']}: pod runAsNonRoot")
        need(psc.get("runAsUser") == 10001, f"{w['metadata']['name']}: pod runAsUser={psc.get('runAsUser')}")
        need((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "pod seccompProfile")
        need(not spec.get("hostNetwork") and not spec.get("hostPID") and not spec.get("hostIPC"), "host namespaces")
        for c in spec.get("containers", []) + spec.get("initContainers", []):
            sc = c.get("securityContext") or {}
            where = f"{w['metadata']['name']}/{c['name']}"
            need(sc.get("runAsNonRoot") is True, f"{where}: container runAsNonRoot")
            need(sc.get("runAsUser") == 10001, f"{where}: container runAsUser={sc.get('runAsUser')}")
            need(sc.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem")
            need(sc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation")
            need(not sc.get("privileged"), f"{where}: privileged")
            need((sc.get("capabilities") or {}).get("drop") == ["ALL"], f"{where}: capabilities.drop != [ALL]")
            need(not (sc.get("capabilities") or {}).get("add"), f"{where}: capabilities.add")
            need((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{where}: container seccompProfile")
            need(effective(psc, sc, "runAsNonRoot") is True, f"{where}: effective runAsNonRoot")
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            need("/tmp" in mounts, f"{where}: no writable /tmp")
            vols = {v["name"]: v for v in spec.get("volumes", [])}
            need("emptyDir" in vols.get(mounts["/tmp"], {}), f"{where}: /tmp is not an emptyDir")


def check_deployment(docs, args):
    """Defaults from the brief and operator/README.md. [image=...] [replicas=n]"""
    dep, c = operator_container(docs)
    need(dep["metadata"]["namespace"] == RELEASE_NS, "Deployment namespace")
    need(c["image"] == args.get("image", "docker.io/procgroup/operator:0.1.0"), f"image={c['image']}")
    need(c["imagePullPolicy"] == "IfNotPresent", f"imagePullPolicy={c['imagePullPolicy']}")
    need(dep["spec"]["replicas"] == int(args.get("replicas", "1")), f"replicas={dep['spec']['replicas']}")
    need([p for p in c["ports"] if p["name"] != "identity"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
         f"ports={c['ports']}")
    need(c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}, f"liveness={c['livenessProbe']}")
    need(c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}, f"readiness={c['readinessProbe']}")
    need(c["startupProbe"]["httpGet"]["port"] == "http", "startupProbe port")
    env = env_of(c)
    need(env.get("POD_NAMESPACE") == {"fieldRef": {"fieldPath": "metadata.namespace"}}, f"POD_NAMESPACE={env.get('POD_NAMESPACE')}")
    need(env.get("PROCGROUP_WATCH_NAMESPACES") == "", "PROCGROUP_WATCH_NAMESPACES should be empty (all namespaces)")
    for k, v in SIDECAR_ENV_DEFAULTS.items():
        need(env.get(k) == v, f"{k}={env.get(k)!r}, expected {v!r}")
    # the image carries the JVM flags (heap = a share of the memory limit); the chart adds none by default
    # span export is off unless tracing.otlpEndpoint is set
    need("PROCGROUP_SIDECAR_OTLP_ENDPOINT" not in env, f"OTLP endpoint set by default: {env.get('PROCGROUP_SIDECAR_OTLP_ENDPOINT')!r}")
    need("JAVA_TOOL_OPTIONS" not in env, f"JAVA_TOOL_OPTIONS set by default: {env.get('JAVA_TOOL_OPTIONS')!r}")
    need(all(isinstance(v, (str, dict)) for v in env.values()), "env values must be strings")
    res = c.get("resources") or {}
    need(res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"), f"resources={res}")
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    sel = dep["spec"]["selector"]["matchLabels"]
    need(all(pod_labels.get(k) == v for k, v in sel.items()), "selector does not match pod labels")


def check_env(docs, args):
    """NAME=value ... : the operator container has these env values."""
    _, c = operator_container(docs)
    env = env_of(c)
    for k, v in args.items():
        need(env.get(k) == v, f"{k}={env.get(k)!r}, expected {v!r}")


def check_image(docs, args):
    """image=<reference>"""
    _, c = operator_container(docs)
    need(c["image"] == args["image"], f"image={c['image']!r}, expected {args['image']!r}")


def check_service(docs, args):
    dep, c = operator_container(docs)
    svc = workload(docs, "Service")
    need(svc["spec"]["ports"] == [{"name": "http", "port": 8080, "targetPort": "http", "protocol": "TCP"}],
         f"Service ports={svc['spec']['ports']}")
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    need(all(pod_labels.get(k) == v for k, v in svc["spec"]["selector"].items()), "Service selector does not match the pods")
    need(svc["metadata"]["labels"].get("procgroup.dev/metrics") == "true", "Service lacks the metrics label")
    ann = svc["metadata"].get("annotations") or {}
    need(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == "8080", f"scrape annotations={ann}")


def check_servicemonitor(docs, args):
    sm = one(docs, "ServiceMonitor")
    svc = workload(docs, "Service")
    need(sm["apiVersion"] == "monitoring.coreos.com/v1", "ServiceMonitor apiVersion")
    sel = sm["spec"]["selector"]["matchLabels"]
    need(all(svc["metadata"]["labels"].get(k) == v for k, v in sel.items()), "ServiceMonitor selector does not match the Service")
    need(sm["spec"]["namespaceSelector"]["matchNames"] == [RELEASE_NS], "ServiceMonitor namespaceSelector")
    need([e["port"] for e in sm["spec"]["endpoints"]] == ["http"], "ServiceMonitor endpoint port")
    need(all(e.get("honorLabels") is True for e in sm["spec"]["endpoints"]),
         "ServiceMonitor must honor the operator's namespace/group/process labels (honorLabels: true)")
    for k, v in args.items():
        if k.startswith("label."):
            need(sm["metadata"]["labels"].get(k[6:]) == v, f"ServiceMonitor label {k[6:]}")


def check_podmonitor(docs, args):
    pm = one(docs, "PodMonitor")
    ep = pm["spec"]["podMetricsEndpoints"]
    need(len(ep) == 1 and ep[0]["path"] == "/metrics", f"endpoints={ep}")
    if "targetPort" in args:
        need(ep[0].get("targetPort") == int(args["targetPort"]) and "port" not in ep[0], f"endpoints={ep}")
    else:
        need(ep[0].get("port") == args.get("port", "hub-metrics") and "targetPort" not in ep[0], f"endpoints={ep}")
    rl = {(r["sourceLabels"][0], r["targetLabel"]) for r in ep[0].get("relabelings", [])}
    need({("__meta_kubernetes_pod_label_procgroup_dev_group", "group"),
          ("__meta_kubernetes_pod_label_procgroup_dev_process", "process")} <= rl, f"relabelings={rl}")
    nss = args.get("namespaces")
    if nss:
        need(pm["spec"]["namespaceSelector"] == {"matchNames": nss.split(",")}, f"namespaceSelector={pm['spec']['namespaceSelector']}")
    else:
        need(pm["spec"]["namespaceSelector"] == {"any": True}, f"namespaceSelector={pm['spec']['namespaceSelector']}")
    need(pm["spec"]["selector"]["matchExpressions"] == [{"key": "procgroup.dev/group", "operator": "Exists"}], "selector")


def check_dashboard_configmap(docs, args):
    """file=<chart>/dashboards/procgroup.json"""
    cm = one(docs, "ConfigMap")
    need(cm["metadata"]["labels"].get("grafana_dashboard") == "1", "ConfigMap lacks grafana_dashboard: \"1\"")
    with open(args["file"]) as f:
        raw = f.read()
    need(cm["data"]["procgroup.json"].strip() == raw.strip(), "ConfigMap data differs from dashboards/procgroup.json")
    json.loads(cm["data"]["procgroup.json"])


def check_dashboard_json(_docs, args):
    """file=... : the dashboard parses, every $m_* used is a defined constant, all required metrics present."""
    with open(args["file"]) as f:
        d = json.load(f)
    consts = {v["name"]: v["query"] for v in d["templating"]["list"] if v["type"] == "constant"}
    required = {"procgroup_groups", "procgroup_process_ready_replicas", "procgroup_process_desired_replicas",
                "procgroup_process_restarts", "procgroup_reconciliations_total", "procgroup_hub_calls_total",
                "procgroup_hub_call_duration_seconds", "procgroup_hub_peer_errors_total", "procgroup_app_start_time_seconds",
                "procgroup_app_cpu_seconds_total", "procgroup_app_resident_memory_bytes"}
    need(required <= set(consts.values()), f"missing metric constants: {sorted(required - set(consts.values()))}")
    import re
    used = set()
    exprs = []
    for p in d["panels"]:
        for t in p.get("targets", []):
            exprs.append(t["expr"])
    for v in d["templating"]["list"]:
        if v["type"] == "query":
            exprs.append(v["definition"])
    for e in exprs:
        used |= set(re.findall(r"\$\{(m_[a-z_]+)\}", e))
        need(not re.search(r"\bprocgroup_[a-z_]+", e), f"metric name hard-coded in a query (use ${{m_...}}): {e}")
    need(used <= set(consts), f"undefined constants: {sorted(used - set(consts))}")
    need(set(consts) <= used, f"unused constants: {sorted(set(consts) - used)}")
    titles = " | ".join(p["title"].lower() for p in d["panels"])
    for words in ("phase", "ready / desired", "restarts per process", "latency p50", "latency p99", "peer errors",
                  "hub calls"):
        need(words in titles, f"no panel about {words!r}")
    ids = [p["id"] for p in d["panels"]]
    need(len(ids) == len(set(ids)), "duplicate panel ids")


def check_rbac_subject(docs, args):
    """sa=<name>: every binding's subject and the Deployment use this ServiceAccount."""
    dep, _ = operator_container(docs)
    need(dep["spec"]["template"]["spec"]["serviceAccountName"] == args["sa"], "Deployment serviceAccountName")
    for b in of_kind(docs, "RoleBinding") + of_kind(docs, "ClusterRoleBinding"):
        need(b["subjects"] == [{"kind": "ServiceAccount", "name": args["sa"], "namespace": RELEASE_NS}],
             f"{b['kind']} {b['metadata']['name']} subjects={b['subjects']}")


def check_names(docs, args):
    """Every object has a DNS-compatible name <= 63 and namespaced objects carry a namespace."""
    import re
    cluster_kinds = {"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
    seen = set()
    for d in docs:
        name = d["metadata"]["name"]
        need(len(name) <= 63 and re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name), f"bad name {name!r}")
        if d["kind"] not in cluster_kinds:
            need(d["metadata"].get("namespace"), f"{d['kind']} {name} has no namespace")
        key = (d["kind"], d["metadata"].get("namespace"), name)
        need(key not in seen, f"duplicate object {key}")
        seen.add(key)
        labels = d["metadata"].get("labels") or {}
        need(labels.get("app.kubernetes.io/managed-by") == "Helm" or d["kind"] == "CustomResourceDefinition",
             f"{d['kind']} {name} lacks the common labels")


def check_identity(docs, args):
    """enabled=true|false [port=8443] [ca=<existing Secret>]: the peer-mTLS issuer (sidecar/SECURITY.md). On: its
    Service, a CA Secret the chart makes (unless ca= names one), a ClusterRole with tokenreviews create and nothing
    else bound to the operator's ServiceAccount, the issuer's env and port, the CA mounted in the operator alone.
    Off: none of these, and the operator is told so (PROCGROUP_IDENTITY_ENABLED absent: its default is off)."""
    dep, c = operator_container(docs)
    env = env_of(c)
    mine = [d for d in docs if is_identity(d) or d["metadata"]["name"].endswith("-identity-ca")]
    if args.get("enabled") == "false":
        need(not mine, f"identity objects rendered with identity off: {[(d['kind'], d['metadata']['name']) for d in mine]}")
        need(not any(k.startswith("PROCGROUP_IDENTITY") for k in env), "PROCGROUP_IDENTITY_* set with identity off")
        need(not [p for p in c["ports"] if p["name"] == "identity"], "identity port with identity off")
        return
    port = int(args.get("port", "8443"))
    need(env.get("PROCGROUP_IDENTITY_ENABLED") == "true", f"PROCGROUP_IDENTITY_ENABLED={env.get('PROCGROUP_IDENTITY_ENABLED')!r}")
    need(env.get("PROCGROUP_IDENTITY_PORT") == str(port), f"PROCGROUP_IDENTITY_PORT={env.get('PROCGROUP_IDENTITY_PORT')!r}")
    svc = [d for d in of_kind(docs, "Service") if is_identity(d)]
    need(len(svc) == 1, f"expected one identity Service, found {len(svc)}")
    host = f"{svc[0]['metadata']['name']}.{RELEASE_NS}.svc"
    need(env.get("PROCGROUP_IDENTITY_URL") == f"https://{host}:{port}/v1/certificates",
         f"PROCGROUP_IDENTITY_URL={env.get('PROCGROUP_IDENTITY_URL')!r} does not name {host}:{port}")
    need(svc[0]["spec"]["ports"] == [{"name": "identity", "port": port, "targetPort": "identity", "protocol": "TCP"}],
         f"identity Service ports={svc[0]['spec']['ports']}")
    need(svc[0]["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"], "identity Service selects other pods")
    need({"name": "identity", "containerPort": port, "protocol": "TCP"} in c["ports"], f"ports={c['ports']}")
    if args.get("rbac", "true") == "true":
        crs = [d for d in of_kind(docs, "ClusterRole") if is_identity(d)]
        need(len(crs) == 1, f"expected one identity ClusterRole, found {len(crs)}")
        need(triples(crs[0]["rules"]) == {("authentication.k8s.io", "tokenreviews", "create", "")},
             f"identity ClusterRole grants more than tokenreviews create: {sorted(triples(crs[0]['rules']))}")
        crbs = [d for d in of_kind(docs, "ClusterRoleBinding") if is_identity(d)]
        need(len(crbs) == 1 and crbs[0]["roleRef"]["name"] == crs[0]["metadata"]["name"], "identity ClusterRoleBinding")
        need(crbs[0]["subjects"] == [{"kind": "ServiceAccount", "name": dep["spec"]["template"]["spec"]["serviceAccountName"],
                                      "namespace": RELEASE_NS}], f"identity binding subjects={crbs[0]['subjects']}")
    secrets = of_kind(docs, "Secret")
    ca = args.get("ca")
    if ca:
        need(not secrets, f"the chart made a Secret although identity.ca.existingSecret={ca}")
    else:
        need(len(secrets) == 1 and secrets[0]["type"] == "kubernetes.io/tls"
             and set(secrets[0]["data"]) == {"tls.crt", "tls.key"}, "expected one kubernetes.io/tls CA Secret")
        ca = secrets[0]["metadata"]["name"]
    vols = [v for v in dep["spec"]["template"]["spec"].get("volumes", []) if v.get("secret")]
    need([v["secret"]["secretName"] for v in vols] == [ca], f"Secret volumes {vols}, expected only the CA {ca}")
    mounts = [m for m in c.get("volumeMounts", []) if m["name"] == vols[0]["name"]]
    need(len(mounts) == 1 and mounts[0].get("readOnly") is True, f"the CA mount must be read-only: {mounts}")


def check_prometheusrule(docs, args):
    """file=<alerts yaml> [label.k=v]: one PrometheusRule whose spec is exactly the rules file (the one source)."""
    pr = one(docs, "PrometheusRule")
    with open(args["file"]) as f:
        want = yaml.safe_load(f)
    need(pr["spec"] == want, "PrometheusRule spec differs from " + args["file"])
    need(len([r for g in pr["spec"]["groups"] for r in g["rules"]]) >= 7, "fewer than 7 rules")
    for k, v in args.items():
        if k.startswith("label."):
            need(pr["metadata"]["labels"].get(k[len("label."):]) == v, f"label {k[6:]}={pr['metadata']['labels'].get(k[6:])!r}")


def check_crds_in_render(docs, args):
    """dir=<chart crds dir>: with --include-crds every CRD file is rendered."""
    crds = of_kind(docs, "CustomResourceDefinition")
    files = [f for f in os.listdir(args["dir"]) if f.endswith((".yml", ".yaml"))]
    need(files, "no CRD files in the chart's crds/")
    need(len(crds) >= len(files), f"{len(crds)} CRDs rendered for {len(files)} files")
    names = {c["metadata"]["name"] for c in crds}
    need(any(n.endswith(".procgroup.dev") for n in names), f"no procgroup.dev CRD rendered: {names}")


CHECKS = {n[len("check_"):]: f for n, f in globals().items() if n.startswith("check_")}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        print(f"usage: {sys.argv[0]} <{'|'.join(sorted(CHECKS))}> <rendered.yaml> [k=v ...]", file=sys.stderr)
        return 2
    try:
        docs = load(sys.argv[2]) if sys.argv[2] != "-" else []
        CHECKS[sys.argv[1]](docs, kv(sys.argv[3:]))
    except Fail as e:
        print(str(e), file=sys.stderr)
        return 1
    except (KeyError, TypeError, IndexError, ValueError, yaml.YAMLError) as e:
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

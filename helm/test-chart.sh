#!/usr/bin/env bash
# Template tests for helm/procgroup: lint, render with several value sets (helm template) and check the
# rendered YAML with helm/tests/chart_asserts.py (python3 + PyYAML). No cluster needed.
#
# Usage: helm/test-chart.sh            HELM=/path/to/helm to use another binary
# Prints one line per check and ends with "N passed, M failed"; exits non-zero when a check fails.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
chart=$here/procgroup
asserts=$here/tests/chart_asserts.py

if [[ -z ${HELM:-} ]]; then
  helm_version=v3.19.5
  [[ -f $repo/e2e/cluster/versions.env ]] && helm_version=$(sed -n 's/^HELM_VERSION=//p' "$repo/e2e/cluster/versions.env")
  HELM=${PROCGROUP_CACHE:-/var/cache/procgroup}/helm/${helm_version:-v3.19.5}/bin/helm
  [[ -x $HELM ]] || HELM=$(command -v helm || true)
fi
[[ -n $HELM && -x $HELM ]] || { echo "test-chart: no helm binary (set HELM=...; e2e/cluster/build-binaries.sh builds one)" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "test-chart: python3 with PyYAML is required (pip install pyyaml)" >&2; exit 2; }

NS=procgroup-system   # must match RELEASE_NS in tests/chart_asserts.py
# Render for the Kubernetes version the e2e cluster runs. A helm built with plain `go install` (as
# e2e/cluster/build-binaries.sh does) defaults to Kubernetes v1.20.0, which the chart's kubeVersion rejects.
KUBE_VERSION=1.33.0
if [[ -f $repo/e2e/cluster/versions.env ]]; then
  v=$(sed -n 's/^K8S_VERSION=v\{0,1\}//p' "$repo/e2e/cluster/versions.env")
  [[ -n $v ]] && KUBE_VERSION=$v
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

echo "# helm: $HELM ($("$HELM" version --short 2>/dev/null)), rendering for Kubernetes $KUBE_VERSION"

pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [[ -n ${2:-} ]] && sed 's/^/       /' <<<"$2" | head -15; }

# render <name> [helm template args...]: render into $work/<name>.yaml; a failed render is a failed check.
render() {
  local name=$1; shift
  if "$HELM" template pg "$chart" -n "$NS" --kube-version "$KUBE_VERSION" "$@" >"$work/$name.yaml" 2>"$work/$name.err"; then
    pass "render $name"
  else
    fail "render $name" "$(cat "$work/$name.err")"
  fi
}

# check <description> <assert> <render name> [k=v...]
check() {
  local desc=$1 what=$2 name=$3; shift 3
  local out file=$work/$name.yaml
  if [[ $name == - ]]; then file=-    # a check that reads no rendered YAML
  elif [[ ! -s $file ]]; then fail "$desc" "render $name produced nothing"; return; fi
  if out=$(python3 "$asserts" "$what" "$file" "$@" 2>&1); then pass "$desc"; else fail "$desc" "$out"; fi
}

# reject <description> <expected stderr substring> [helm template args...]: the render must fail.
reject() {
  local desc=$1 expect=$2; shift 2
  local err
  if err=$("$HELM" template pg "$chart" -n "$NS" --kube-version "$KUBE_VERSION" "$@" 2>&1 >/dev/null); then
    fail "$desc" "helm template succeeded but should have failed"
  elif [[ -n $expect ]] && ! grep -qiF -- "$expect" <<<"$err"; then
    fail "$desc" "failed, but without '$expect' in: $err"
  else
    pass "$desc"
  fi
}

# ------------------------------------------------------------------ lint (defaults and every ci/*-values.yaml)
for strict in "" "--strict"; do
  for f in "" "$chart"/ci/*-values.yaml; do
    label="helm lint ${strict:-(not strict)} ${f:+-f ci/$(basename "$f")}"; label=${label% }
    # shellcheck disable=SC2086
    if out=$("$HELM" lint "$chart" --kube-version "$KUBE_VERSION" $strict ${f:+-f "$f"} 2>&1); then pass "$label"
    else fail "$label" "$out"; fi
  done
done

# ------------------------------------------------------------------ value sets
render defaults
render namespaced --set 'watchNamespaces={team-a,team-b}'
render leader --set leaderElection.enabled=true --set replicas=2
render leader-ns --set leaderElection.enabled=true --set leaderElection.namespace=ops --set 'watchNamespaces={team-a}'
render monitoring --set metrics.serviceMonitor.enabled=true --set metrics.serviceMonitor.labels.release=kps \
  --set metrics.podMonitor.enabled=true --set dashboard.enabled=true --set metrics.prometheusRule.enabled=true \
  --set metrics.prometheusRule.labels.release=kps
render monitoring-ns --set metrics.podMonitor.enabled=true --set 'watchNamespaces={team-a,team-b}'
render monitoring-portnum --set metrics.podMonitor.enabled=true --set metrics.podMonitor.portName= \
  --set sidecar.ports.metrics=9500
render custom --set image.tag=0.2.0 --set sidecar.enabled=false --set sidecar.image.tag=0.2.1 \
  --set sidecar.resources.limits.cpu=500m --set logFormat=text --set serviceAccount.create=false \
  --set serviceAccount.name=existing-sa
render digest --set image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
render norbac --set rbac.create=false
render long-name --set fullnameOverride=a-very-long-release-name-that-goes-on-and-on-and-on-and-on-x \
  --set leaderElection.enabled=true
render kube129 --kube-version 1.29.0
render noidentity --set identity.enabled=false
render identity-ca --set identity.ca.existingSecret=my-ca --set identity.port=9443
render identity-ns --set 'watchNamespaces={team-a}'
render tracing --set tracing.otlpEndpoint=http://otel-collector.observability:4318

# ------------------------------------------------------------------ defaults
check "defaults: objects rendered (SA, Deployment, ClusterRole+Binding, Service, identity CA Secret)" kinds defaults \
  present=ServiceAccount,Deployment,ClusterRole,ClusterRoleBinding,Service,Secret \
  absent=Role,RoleBinding,ServiceMonitor,PodMonitor,ConfigMap,CustomResourceDefinition
check "defaults: Deployment image, replicas, port http, probes, env per operator/README.md" deployment defaults
check "defaults: ClusterRole has exactly operator/README.md's rules, bound to the operator SA" clusterrole_exact defaults
check "defaults: no '*' (or escalate/bind) in any RBAC rule" no_wildcards defaults
check "defaults: restricted security context on pod and every container, /tmp emptyDir" security defaults
check "defaults: no leader election, no Lease permissions, Recreate strategy" leader_election defaults enabled=false
check "defaults: metrics Service port 8080 'http', selector, scrape label/annotations" service defaults
check "defaults: names, namespaces, common labels" names defaults

# ------------------------------------------------------------------ peer mTLS (identity issuer), on by default
check "identity (default): issuer Service, CA Secret, tokenreviews-create-only ClusterRole, env, port, read-only CA mount" \
  identity defaults enabled=true
check "identity off: no issuer objects, no PROCGROUP_IDENTITY_* env, no port" identity noidentity enabled=false
check "identity off: the workload ClusterRole is unchanged" clusterrole_exact noidentity
check "identity with an existing CA Secret and port 9443: no Secret made, that Secret mounted" identity identity-ca \
  enabled=true ca=my-ca port=9443
check "identity, namespaced: the issuer's ClusterRole is the only cluster-wide grant" identity identity-ns enabled=true
check "identity, namespaced: workload Role in team-a" namespaced_rbac identity-ns namespaces=team-a
check "identity, rbac.create=false: the issuer still runs, no RBAC objects" identity norbac enabled=true rbac=false

# ------------------------------------------------------------------ namespaced mode
check "namespaced: a Role+RoleBinding with the exact rules per watched namespace, no ClusterRole" \
  namespaced_rbac namespaced namespaces=team-a,team-b
check "namespaced: no '*' in any RBAC rule" no_wildcards namespaced
check "namespaced: restricted security context" security namespaced
check "namespaced: no Lease permissions without leader election" leader_election namespaced enabled=false
check "namespaced: names, namespaces, common labels" names namespaced

# ------------------------------------------------------------------ leader election
check "leader election: env, Lease Role in the release namespace only, RollingUpdate, 2 replicas" \
  leader_election leader enabled=true replicas=2
check "leader election: ClusterRole unchanged (leases not cluster-wide)" clusterrole_exact leader
check "leader election: no '*' in any RBAC rule" no_wildcards leader
check "leader election: restricted security context" security leader
check "leader election + namespaced + lease namespace ops: Lease Role in ops" leader_election leader-ns enabled=true namespace=ops
check "leader election + namespaced: workload Role only in team-a" namespaced_rbac leader-ns namespaces=team-a
check "leader election: long fullnameOverride keeps names <= 63" names long-name

# ------------------------------------------------------------------ monitoring
check "ServiceMonitor/PodMonitor/dashboard absent by default" kinds defaults absent=ServiceMonitor,PodMonitor,ConfigMap
check "monitoring: ServiceMonitor, PodMonitor and dashboard ConfigMap rendered when enabled" kinds monitoring \
  present=ServiceMonitor,PodMonitor,ConfigMap
check "monitoring: ServiceMonitor selects the metrics Service, port http, extra label" servicemonitor monitoring label.release=kps
check "monitoring: PodMonitor scrapes hub sidecars (port hub-metrics) in all namespaces, group/process labels" \
  podmonitor monitoring
check "monitoring: PodMonitor by port number when portName is empty" podmonitor monitoring-portnum targetPort=9500
check "monitoring: PodMonitor limited to watched namespaces in namespaced mode" podmonitor monitoring-ns namespaces=team-a,team-b
check "monitoring: dashboard ConfigMap has grafana_dashboard=1 and the JSON file" dashboard_configmap monitoring \
  "file=$chart/dashboards/procgroup.json"
check "dashboard JSON: parses, required metrics, names only in the m_* constants, panels" dashboard_json - \
  "file=$chart/dashboards/procgroup.json"
check "monitoring: names, namespaces, common labels" names monitoring
check "PrometheusRule absent by default" kinds defaults absent=PrometheusRule
check "monitoring: PrometheusRule carries alerts/procgroup-alerts.yaml exactly, extra label" prometheusrule monitoring \
  "file=$chart/alerts/procgroup-alerts.yaml" label.release=kps

# ------------------------------------------------------------------ alert rules (promtool, the Debian prometheus package)
if PROMTOOL=$(command -v promtool); then
  if out=$("$PROMTOOL" check rules "$chart/alerts/procgroup-alerts.yaml" 2>&1); then pass "promtool check rules alerts/procgroup-alerts.yaml"
  else fail "promtool check rules alerts/procgroup-alerts.yaml" "$out"; fi
  if out=$(cd "$here/tests" && "$PROMTOOL" test rules alerts-test.yaml 2>&1); then pass "promtool test rules: every alert fires on its series and not on a healthy twin"
  else fail "promtool test rules helm/tests/alerts-test.yaml" "$out"; fi
else
  fail "promtool is required for the alert rule tests (e2e/cluster/prereqs installs the prometheus package)"
fi

# ------------------------------------------------------------------ other value sets
check "custom: env follows values (sidecar off, images, CPU limit, log format)" env custom \
  PROCGROUP_SIDECAR_ENABLED=false PROCGROUP_SIDECAR_IMAGE=docker.io/procgroup/sidecar:0.2.1 \
  PROCGROUP_SIDECAR_CPU_LIMIT=500m PROCGROUP_LOG_FORMAT=text
check "custom: image tag override" image custom image=docker.io/procgroup/operator:0.2.0
check "custom: existing ServiceAccount used, none created" kinds custom absent=ServiceAccount
check "custom: bindings and Deployment use the existing ServiceAccount" rbac_subject custom sa=existing-sa
check "digest: image by digest" image digest \
  image=docker.io/procgroup/operator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
check "rbac.create=false: no RBAC objects" kinds norbac absent=ClusterRole,ClusterRoleBinding,Role,RoleBinding
check "kube-version 1.29: renders" kinds kube129 present=Deployment

# ------------------------------------------------------------------ rejected values (schema and template checks)
check "tracing: the sidecars' OTLP endpoint goes to the operator" env tracing \
  PROCGROUP_SIDECAR_OTLP_ENDPOINT=http://otel-collector.observability:4318
reject "schema rejects a tracing endpoint that is no http(s) URL" "otlpEndpoint" --set tracing.otlpEndpoint=grpc://c:4317
reject "schema rejects replicas: -1" "replicas" --set replicas=-1
reject "schema rejects replicas: \"two\"" "replicas" --set-string replicas=two
reject "schema rejects an unknown top-level key" "additional" --set bogus=1
reject "schema rejects an unknown nested key (image.foo)" "additional" --set image.foo=bar
reject "schema rejects logFormat: xml" "logFormat" --set logFormat=xml
reject "schema rejects image.pullPolicy: Sometimes" "pullPolicy" --set image.pullPolicy=Sometimes
reject "schema rejects a bad namespace name in watchNamespaces" "watchNamespaces" --set 'watchNamespaces={Team_A}'
reject "schema rejects duplicate watchNamespaces" "watchNamespaces" --set 'watchNamespaces={a,a}'
reject "schema rejects sidecar.ports.metrics: 70000" "metrics" --set sidecar.ports.metrics=70000
reject "schema rejects a bad sidecar memory quantity" "memory" --set sidecar.resources.requests.memory=lots
reject "schema rejects a malformed image digest" "digest" --set image.digest=latest
reject "schema rejects leaderElection.enabled: \"yes\"" "enabled" --set-string leaderElection.enabled=yes
reject "template rejects replicas: 2 without leader election" "leaderElection.enabled" --set replicas=2
reject "template rejects serviceAccount.create=false without a name" "serviceAccount.name" --set serviceAccount.create=false
reject "template rejects a ServiceMonitor without the metrics Service" "metrics.service.enabled" \
  --set metrics.serviceMonitor.enabled=true --set metrics.service.enabled=false
reject "kubeVersion: Kubernetes 1.28 (no native sidecars) is rejected" "kubeVersion" --kube-version 1.28.9

# ------------------------------------------------------------------ ci value files render
for f in "$chart"/ci/*-values.yaml; do
  n=ci-$(basename "$f" -values.yaml)
  render "$n" -f "$f"
  check "$n: no '*' in any RBAC rule" no_wildcards "$n"
  check "$n: restricted security context" security "$n"
  check "$n: names, namespaces, common labels" names "$n"
done

# ------------------------------------------------------------------ packaging
if out=$("$HELM" package "$chart" -d "$work" 2>&1); then
  tgz=$(ls "$work"/procgroup-*.tgz)
  listing=$(tar -tzf "$tgz")
  missing=""
  for f in Chart.yaml values.yaml values.schema.json README.md templates/NOTES.txt dashboards/procgroup.json alerts/procgroup-alerts.yaml; do
    grep -qx "procgroup/$f" <<<"$listing" || missing+=" $f"
  done
  grep -q '^procgroup/crds/.*\.ya\?ml$' <<<"$listing" || missing+=" crds/*.yml"
  if [[ -z $missing ]]; then pass "helm package: $(basename "$tgz") has the CRDs, schema, dashboard, alert rules, README, NOTES"
  else fail "helm package contents" "missing:$missing"; fi
else
  fail "helm package" "$out"
fi

# ------------------------------------------------------------------ CRDs
if out=$("$here/check-crds.sh" 2>&1); then
  pass "CRDs in helm/procgroup/crds/ are byte-identical to crds/"
  render with-crds --include-crds
  check "CRDs: helm template --include-crds renders the procgroup.dev CRD(s)" crds_in_render with-crds "dir=$chart/crds"
else
  fail "CRDs in helm/procgroup/crds/ are byte-identical to crds/" "$out"
fi

echo "$passed passed, $failed failed"
(( failed == 0 ))

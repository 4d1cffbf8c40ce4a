#!/usr/bin/env bash
# Install the chart into a private, throw-away kube-apiserver + etcd (no kubelet, no controllers) and check
# the RBAC it grants by acting as the operator's ServiceAccount (kubectl --as):
#   - the API server accepts every object the chart renders (server-side validation, CRD included);
#   - the operator may do exactly what operator/README.md lists, and is refused the rest;
#   - it can create the per-group sidecar ServiceAccount, Secret, EndpointSlice-reader Role and RoleBinding (the
#     RBAC escalation check passes because it holds endpointslices list/watch itself), but not a wider Role;
#   - watchNamespaces confines it to the listed namespaces; leader election gives it one Lease only.
#   - when the operator image was built (operator/target/jib-image.tar), the real operator runs on this
#     machine as that ServiceAccount (a token from the TokenRequest API) with the chart's environment: it
#     must reconcile a ProcessGroup (Deployment, Service, hub Service/SA/Secret/Role/RoleBinding, status, finalizer,
#     Lease)
#     without a single "Forbidden" (PROCGROUP_SKIP_OPERATOR=1 skips this part).
# Binaries: kube-apiserver/kubectl/etcd from $PROCGROUP_CACHE (e2e/cluster/build-binaries.sh) or
# ~/.kubeapitest; helm as in test-chart.sh. Ports are picked free; nothing of the e2e cluster is touched.
# Usage: helm/test-rbac-apiserver.sh ; ends with "N passed, M failed", non-zero exit on failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
chart=$here/procgroup
# shellcheck disable=SC1091
[[ -f $repo/e2e/cluster/versions.env ]] && source "$repo/e2e/cluster/versions.env"
K8S_VERSION=${K8S_VERSION:-v1.33.13} ETCD_VERSION=${ETCD_VERSION:-v3.5.24} HELM_VERSION=${HELM_VERSION:-v3.19.5}
cache=${PROCGROUP_CACHE:-/var/cache/procgroup}

pick() { local c; for c in "$@"; do [[ -x $c ]] && { echo "$c"; return; }; done; }
APISERVER=$(pick "$cache/k8s/$K8S_VERSION/bin/kube-apiserver" "$HOME/.kubeapitest/k8s/${K8S_VERSION#v}-linux-amd64/kube-apiserver")
KUBECTL=$(pick "$cache/k8s/$K8S_VERSION/bin/kubectl" "$HOME/.kubeapitest/k8s/${K8S_VERSION#v}-linux-amd64/kubectl" "$(command -v kubectl)")
ETCD=$(pick "$cache/etcd/$ETCD_VERSION/bin/etcd" "$HOME/.kubeapitest/k8s/${K8S_VERSION#v}-linux-amd64/etcd")
HELM=${HELM:-$(pick "$cache/helm/$HELM_VERSION/bin/helm" "$(command -v helm)")}
for b in APISERVER KUBECTL ETCD HELM; do
  [[ -n ${!b} ]] || { echo "test-rbac-apiserver: no ${b,,} binary (run e2e/cluster/build-binaries.sh all)" >&2; exit 2; }
done
command -v openssl >/dev/null || { echo "test-rbac-apiserver: openssl is required" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
etcd_port=$(free_port) etcd_peer=$(free_port) api_port=$(free_port)

# --- start etcd and kube-apiserver (static token auth for the admin, RBAC authorization)
"$ETCD" --name pgtest --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$etcd_port" \
  --advertise-client-urls "http://127.0.0.1:$etcd_port" --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" --initial-cluster "pgtest=http://127.0.0.1:$etcd_peer" \
  --log-level error >"$work/etcd.log" 2>&1 &
pids+=($!)
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token,admin,admin,system:masters" >"$work/tokens.csv"
"$APISERVER" --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1 --secure-port "$api_port" \
  --cert-dir "$work/certs" --token-auth-file "$work/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$work/sa.key" \
  --service-account-signing-key-file "$work/sa.key" --service-cluster-ip-range 10.250.0.0/24 \
  --disable-admission-plugins ServiceAccount >"$work/apiserver.log" 2>&1 &
pids+=($!)

export KUBECONFIG=$work/kubeconfig
cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: t, context: {cluster: t, user: admin}}]
current-context: t
EOF
k() { "$KUBECTL" "$@"; }

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [[ -n ${2:-} ]] && sed 's/^/       /' <<<"$2" | head -12; }
finish() { echo "$passed passed, $failed failed"; (( failed == 0 )); exit $?; }

# ---- the real operator, run as the chart's ServiceAccount (optional: needs the Jib image tar)
op_tar=${OPERATOR_IMAGE_TAR:-$repo/operator/target/jib-image.tar}
op_root=""
if [[ ${PROCGROUP_SKIP_OPERATOR:-} != 1 && -f $op_tar ]]; then
  op_root=$work/operator
  mkdir -p "$op_root/img" "$op_root/fs"
  tar -xf "$op_tar" -C "$op_root/img"
  for layer in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$op_root/img/manifest.json"); do
    tar -xzf "$op_root/img/$layer" -C "$op_root/fs" 2>/dev/null
  done
  sed "s#/app/#$op_root/fs/app/#g" "$op_root/fs/app/jib-classpath-file" >"$op_root/classpath"
fi
JAVA=$(command -v java || true)

# run_operator <label> <group namespace> <unwatched namespace or -> <lease namespace or ->
run_operator() {
  local label=$1 gns=$2 other=$3 lease_ns=$4
  if [[ -z $op_root || -z $JAVA ]]; then
    echo "skip - [$label] operator run (no $op_tar or no java, or PROCGROUP_SKIP_OPERATOR=1)"
    [[ ${CI:-} == true ]] && fail "[$label] the operator run may not be skipped in CI (CI=true)"
    return
  fi
  local sa_token http_port envfile log=$work/operator-$label.log pid ready=""
  sa_token=$(k create token pg-procgroup -n "$NS" --duration=1h)
  http_port=$(free_port)
  cat >"$work/sa.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters: [{name: t, cluster: {server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true}}]
users: [{name: sa, user: {token: "$sa_token"}}]
contexts: [{name: t, context: {cluster: t, user: sa, namespace: $NS}}]
current-context: t
EOK
  # the operator container's environment exactly as the chart renders it (downward API values filled in)
  envfile=$work/operator.env
  "$HELM" get manifest pg -n "$NS" | python3 -c '
import sys, yaml
for d in yaml.safe_load_all(sys.stdin):
    if d and d["kind"] == "Deployment":
        for e in d["spec"]["template"]["spec"]["containers"][0]["env"]:
            if "value" in e:
                print(e["name"] + "=" + e["value"])
' >"$envfile"
  {
    echo "POD_NAMESPACE=$NS"; echo "POD_NAME=pg-procgroup-test-0"; echo "PROCGROUP_HTTP_PORT=$http_port"
    echo "KUBECONFIG=$work/sa.kubeconfig"; echo "HOME=$work"; echo "PATH=/usr/bin:/bin"
  } >>"$envfile"
  # peer mTLS on (the chart's default): the issuer on a free port, with the CA the chart made, as the pod mounts it
  local id_port="" id_host=""
  if grep -q '^PROCGROUP_IDENTITY_ENABLED=true$' "$envfile"; then
    id_port=$(free_port)
    id_host=$(sed -n 's#^PROCGROUP_IDENTITY_URL=https://\([^:/]*\).*#\1#p' "$envfile")
    mkdir -p "$work/identity-ca"
    for f in tls.crt tls.key; do
      k get secret pg-procgroup-identity-ca -n "$NS" -o "jsonpath={.data.${f//./\\.}}" | base64 -d >"$work/identity-ca/$f"
    done
  fi
  grep -v -e '^PROCGROUP_HTTP_PORT=8080$' -e '^PROCGROUP_IDENTITY_PORT=' -e '^PROCGROUP_IDENTITY_CA_DIR=' \
    "$envfile" >"$envfile.2"
  if [[ -n $id_port ]]; then
    echo "PROCGROUP_IDENTITY_PORT=$id_port" >>"$envfile.2"
    echo "PROCGROUP_IDENTITY_CA_DIR=$work/identity-ca" >>"$envfile.2"
  fi
  mapfile -t envs <"$envfile.2"
  env -i "${envs[@]}" "$JAVA" -cp "@$op_root/classpath" dev.procgroup.operator.ProcgroupOperator >"$log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if [[ -n $ready ]]; then pass "[$label] operator (chart env, SA token) is ready"
  else fail "[$label] operator is ready" "$(tail -20 "$log")"; kill "$pid" 2>/dev/null; return; fi

  local pg="apiVersion: procgroup.dev/v1alpha1
kind: ProcessGroup
metadata: {name: rbac-check}
spec:
  image: docker.io/procgroup/node-base:20
  processes:
    - {name: first, order: 0, entry: [node, -e, '1'], ports: [{name: http, containerPort: 8080}]}
    - {name: second, order: 1, entry: [node, -e, '2']}"
  k apply -n "$gns" -f - <<<"$pg" >/dev/null
  [[ $other != - ]] && k apply -n "$other" -f - <<<"$pg" >/dev/null
  local ok="" hub_kinds=service,serviceaccount,role,rolebinding
  [[ -z $id_port ]] && hub_kinds+=,secret   # the bearer token of the plaintext mode
  for _ in $(seq 1 60); do
    if k get deployment -n "$gns" -l procgroup.dev/group=rbac-check -o name 2>/dev/null | grep -q . &&
       k get "$hub_kinds" rbac-check-hub -n "$gns" >/dev/null 2>&1 &&
       k get service rbac-check-first -n "$gns" >/dev/null 2>&1 &&
       [[ -n $(k get pg rbac-check -n "$gns" -o jsonpath='{.status.observedGeneration}' 2>/dev/null) ]]; then ok=1; break; fi
    sleep 1
  done
  if [[ -n $ok ]]; then pass "[$label] operator reconciled a group in $gns: Deployment, Service, hub $hub_kinds, status"
  else fail "[$label] operator reconciled a group in $gns" "$(k get deploy,svc,sa,secret,role,rolebinding -n "$gns" 2>&1; tail -20 "$log")"; fi
  if [[ $label == cluster-wide ]]; then   # what the chart README shows (readme_can_i compares)
    k auth can-i --list --as="$SA" -n "$gns" 2>/dev/null | sed 's/[[:space:]]*$//' >"$work/can-i-operator.txt"
    k auth can-i --list --as="system:serviceaccount:$gns:rbac-check-hub" -n "$gns" 2>/dev/null \
      | sed 's/[[:space:]]*$//' >"$work/can-i-sidecar.txt"
  fi
  if [[ -n $id_port ]]; then
    if [[ -z $(k get secret rbac-check-hub -n "$gns" -o name --ignore-not-found 2>/dev/null) ]]; then
      pass "[$label] peer mTLS: no bearer-token Secret made for the group"
    else fail "[$label] peer mTLS: no bearer-token Secret made for the group"; fi
    identity_check "$label" "$gns" "$id_port" "$id_host"
  fi
  # the operator metrics the Grafana dashboard queries (constants m_* described "operator:" or "JOSDK:")
  curl -fsS "http://127.0.0.1:$http_port/metrics" >"$work/metrics-$label.txt" 2>/dev/null
  local missing
  missing=$(python3 - "$chart/dashboards/procgroup.json" "$work/metrics-$label.txt" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
names = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)", text, re.M))
for v in d["templating"]["list"]:
    desc = v.get("description", "")
    if v["type"] == "constant" and desc.startswith(("operator:", "JOSDK:")) and "(lazy" not in desc:
        base = v["query"]
        if not any(n == base or n.startswith(base + "_") for n in names):
            print(base)
PY
)
  if [[ -z $missing ]]; then pass "[$label] /metrics has every operator metric the dashboard queries"
  else fail "[$label] /metrics lacks dashboard metrics" "$missing"; fi
  if [[ -n $(k get pg rbac-check -n "$gns" -o jsonpath='{.metadata.finalizers}' 2>/dev/null) ]]; then
    pass "[$label] operator set its finalizer (procgroups/finalizers update)"
  else fail "[$label] operator set its finalizer"; fi
  if [[ -n $(k get events -n "$gns" -o name 2>/dev/null) ]]; then pass "[$label] operator recorded events in $gns"
  else fail "[$label] operator recorded events in $gns"; fi
  if [[ $lease_ns != - ]]; then
    if k get lease procgroup-operator -n "$lease_ns" >/dev/null 2>&1; then pass "[$label] operator holds the Lease procgroup-operator in $lease_ns"
    else fail "[$label] Lease procgroup-operator in $lease_ns" "$(tail -20 "$log")"; fi
  fi
  if [[ $other != - ]]; then
    sleep 3
    if [[ -z $(k get deployment,serviceaccount -n "$other" -l procgroup.dev/group=rbac-check -o name 2>/dev/null) &&
          -z $(k get pg rbac-check -n "$other" -o jsonpath='{.status}' 2>/dev/null) ]]; then
      pass "[$label] a group in unwatched namespace $other is left alone"
    else fail "[$label] a group in unwatched namespace $other is left alone"; fi
  fi
  k delete pg rbac-check -n "$gns" --wait=false >/dev/null
  local gone=""
  for _ in $(seq 1 60); do
    if ! k get pg rbac-check -n "$gns" >/dev/null 2>&1; then gone=1; break; fi
    sleep 1
  done
  if [[ -n $gone ]]; then pass "[$label] delete: the operator cleaned up and released its finalizer"
  else fail "[$label] delete completes" "$(k get pg,deploy -n "$gns" 2>&1; tail -20 "$log")"; fi
  local denied
  denied=$(grep -iE 'forbidden|\b403\b' "$log" | cut -c1-400 | head -3)
  if [[ -z $denied ]]; then pass "[$label] no 'Forbidden' in the operator log"
  else fail "[$label] no 'Forbidden' in the operator log" "$denied"; fi
  # SIGTERM as the kubelet would; the pod gets terminationGracePeriodSeconds (30 s) before SIGKILL
  kill "$pid" 2>/dev/null
  local stopped=""
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || { stopped=1; break; }; sleep 0.5; done
  if [[ -n $stopped ]]; then echo "info - [$label] operator exited within 10 s of SIGTERM"
  else
    # not counted as a chart failure: the operator's own shutdown (reported to its owners)
    echo "WARN - [$label] operator still running 10 s after SIGTERM (killed); a pod would wait for SIGKILL"
    kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  [[ $other != - ]] && { k patch pg rbac-check -n "$other" --type=merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1; k delete pg rbac-check -n "$other" --wait=false >/dev/null 2>&1; }
  true
}

# identity_check <label> <namespace> <issuer port> <issuer host>: the issuer, run with the chart's grants, signs a
# sidecar's CSR for a token of the group's hub ServiceAccount bound to a pod of the group (TokenReview + reads of the
# ServiceAccount and pod, no Forbidden), naming the group's SPIFFE ID; it refuses another account's token.
identity_check() {
  local label=$1 gns=$2 port=$3 host=$4 tok csr body out
  k apply -n "$gns" -f - >/dev/null <<EOP
apiVersion: v1
kind: Pod
metadata: {name: rbac-check-first-0, labels: {procgroup.dev/group: rbac-check, procgroup.dev/process: first}}
spec: {serviceAccountName: rbac-check-hub, containers: [{name: c, image: docker.io/procgroup/node-base:20}]}
EOP
  tok=$(k create token rbac-check-hub -n "$gns" --audience procgroup-identity --bound-object-kind Pod \
    --bound-object-name rbac-check-first-0 --duration 10m)
  openssl ecparam -name prime256v1 -genkey -noout -out "$work/peer.key" 2>/dev/null
  openssl req -new -key "$work/peer.key" -subj /CN=ignored -out "$work/peer.csr" 2>/dev/null
  body=$(python3 -c 'import json,sys; print(json.dumps({"csr": open(sys.argv[1]).read()}))' "$work/peer.csr")
  out=$(curl -sS --max-time 10 --cacert "$work/identity-ca/tls.crt" --resolve "$host:$port:127.0.0.1" \
    -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' -d "$body" "https://$host:$port/v1/certificates" 2>&1)
  local pem
  pem=$(python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d.get("certificateChain", ""))' <<<"$out" 2>/dev/null)
  if [[ -n $pem ]] && openssl x509 -noout -ext subjectAltName <<<"$pem" 2>/dev/null \
      | grep -q "URI:spiffe://cluster.local/ns/$gns/pg/rbac-check"; then
    pass "[$label] identity issuer signed a certificate for spiffe://cluster.local/ns/$gns/pg/rbac-check (TokenReview as the operator)"
  else fail "[$label] identity issuer signs a group pod's CSR" "$out"; fi
  # another account of the namespace (this apiserver runs no controller that would make "default")
  k create serviceaccount not-a-hub -n "$gns" >/dev/null 2>&1
  tok=$(k create token not-a-hub -n "$gns" --audience procgroup-identity --duration 10m)
  out=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --cacert "$work/identity-ca/tls.crt" \
    --resolve "$host:$port:127.0.0.1" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d "$body" "https://$host:$port/v1/certificates" 2>&1)
  if [[ $out == 401 || $out == 403 ]]; then pass "[$label] identity issuer refuses another ServiceAccount's token ($out)"
  else fail "[$label] identity issuer refuses another ServiceAccount's token" "HTTP $out"; fi
  k delete pod rbac-check-first-0 -n "$gns" --wait=false >/dev/null 2>&1
}

# readme_can_i: the chart README's `kubectl auth can-i --list` blocks (<!-- can-i:operator --> and
# <!-- can-i:sidecar -->) equal what this apiserver answered for the operator's and a group's hub ServiceAccount.
# PROCGROUP_WRITE_README=1 rewrites them instead.
readme_can_i() {
  [[ -s $work/can-i-operator.txt && -s $work/can-i-sidecar.txt ]] || { fail "can-i --list captured (operator run)"; return; }
  local out
  if out=$(python3 - "$chart/README.md" "$work" "${PROCGROUP_WRITE_README:-}" <<'PY'
import re, sys
readme, work, write = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
text = open(readme).read()
bad = []
for who in ("operator", "sidecar"):
    got = open(f"{work}/can-i-{who}.txt").read().rstrip("\n")
    pat = re.compile(r"(<!-- can-i:%s -->\n```text\n)(.*?)(\n```)" % who, re.S)
    m = pat.search(text)
    if not m:
        bad.append(f"no <!-- can-i:{who} --> block in {readme}")
        continue
    if m.group(2) != got:
        if write:
            text = text[:m.start(2)] + got + text[m.end(2):]
        else:
            bad.append(f"{who}: README differs from the apiserver:\n--- README\n{m.group(2)}\n--- kubectl auth can-i --list\n{got}")
if write:
    open(readme, "w").write(text)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
  ); then pass "chart README's 'kubectl auth can-i --list' rows (operator, hub sidecar) are what the apiserver grants"
  else fail "chart README's can-i rows match (PROCGROUP_WRITE_README=1 $0 rewrites them)" "$out"; fi
}

up=""
for _ in $(seq 1 120); do
  if k get --raw /readyz >/dev/null 2>&1; then up=1; break; fi
  sleep 1
done
if [[ -n $up ]]; then pass "private kube-apiserver $K8S_VERSION is ready (port $api_port)"
else fail "private kube-apiserver is ready" "$(tail -20 "$work/apiserver.log")"; finish; fi
# the bootstrap RBAC policy (system:basic-user etc.) is reconciled shortly after /readyz
for _ in $(seq 1 30); do k get clusterrole system:basic-user >/dev/null 2>&1 && break; sleep 1; done

NS=procgroup-system
SA=system:serviceaccount:$NS:pg-procgroup
for ns in $NS team-a team-b team-c; do k create namespace "$ns" >/dev/null; done

# can <yes|no> <verb> <resource> [kubectl auth can-i args...]
can() {
  local want=$1 verb=$2 res=$3; shift 3
  local got
  got=$(k auth can-i "$verb" "$res" --as="$SA" "$@" 2>/dev/null)
  if [[ $got == "$want" ]]; then pass "operator SA can-i $verb $res $* -> $want"
  else fail "operator SA can-i $verb $res $* -> expected $want, got ${got:-error}"; fi
}

# sidecar_rbac <namespace> <expect ok|forbidden> [extra pod verb]: create what the operator creates per group
sidecar_rbac() {
  local ns=$1 want=$2 extra=${3:-} verbs='["list","watch"]' out rc
  [[ -n $extra ]] && verbs="[\"list\",\"watch\",\"$extra\"]"
  out=$(k apply --server-side --field-manager=procgroup-operator --as="$SA" -n "$ns" -f - 2>&1 <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: shop-hub}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: shop-hub${extra:+-$extra}}
rules: [{apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: $verbs}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: shop-hub${extra:+-$extra}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: shop-hub${extra:+-$extra}}
subjects: [{kind: ServiceAccount, name: shop-hub, namespace: $ns}]
EOF
)
  rc=$?
  # the Secret as the operator makes it: created once (POST; an existing one is kept), never applied or read
  local sout src
  sout=$(k create --as="$SA" -n "$ns" -f - 2>&1 <<EOF
apiVersion: v1
kind: Secret
metadata: {name: shop-hub}
stringData: {token: not-a-real-token}
EOF
)
  src=$?
  [[ $src != 0 && $sout == *AlreadyExists* ]] && src=0
  ((rc == 0)) && rc=$src
  out+=$'\n'$sout
  local desc="operator SA creates the sidecar SA/Secret/Role(endpointslices ${verbs//\"/})/RoleBinding in $ns -> $want"
  if [[ $want == ok && $rc == 0 ]] || [[ $want == forbidden && $rc != 0 && $out == *orbidden* ]]; then pass "$desc"
  else fail "$desc" "$out"; fi
}

# ============================================================ cluster-wide install
if out=$("$HELM" install pg "$chart" -n "$NS" --wait=false 2>&1); then pass "helm install (defaults: cluster-wide) accepted by the API server"
else fail "helm install (defaults)" "$out"; finish; fi
if k wait --for condition=established --timeout=60s crd/procgroups.procgroup.dev >/dev/null 2>&1; then
  pass "CRD procgroups.procgroup.dev established"; else fail "CRD procgroups.procgroup.dev established"; fi
if out=$(k get pg -A 2>&1); then pass "kubectl get pg -A works (short name)"; else fail "kubectl get pg -A" "$out"; fi

for verb in get list watch patch update; do can yes "$verb" procgroups.procgroup.dev -n team-c; done
for verb in get patch update; do can yes "$verb" procgroups.procgroup.dev --subresource=status -n team-c; done
can yes update procgroups.procgroup.dev --subresource=finalizers -n team-c
for res in deployments.apps horizontalpodautoscalers.autoscaling serviceaccounts \
           networkpolicies.networking.k8s.io roles.rbac.authorization.k8s.io rolebindings.rbac.authorization.k8s.io; do
  for verb in get list watch create patch update delete; do can yes "$verb" "$res" -n team-a; done
done
# Secrets: the hub token is created once and never read; no read of any Secret, in any namespace
can yes create secrets -n team-a
for verb in get list watch patch update delete; do can no "$verb" secrets -n team-a; done
can no list secrets --all-namespaces
for verb in get list watch; do can yes "$verb" pods -n team-a; done
# held only to grant them to the sidecars' Role (the RBAC escalation check); the operator itself never reads them
for verb in list watch; do can yes "$verb" endpointslices.discovery.k8s.io -n team-a; done
for verb in get create patch update delete; do can no "$verb" endpointslices.discovery.k8s.io -n team-a; done
for verb in get list watch create patch delete; do can yes "$verb" services -n team-a; done
for verb in create patch; do can yes "$verb" events -n team-a; can yes "$verb" events.events.k8s.io -n team-a; done
can yes list procgroups.procgroup.dev --all-namespaces
# peer mTLS (the chart's default): the issuer reviews the sidecars' tokens
can yes create tokenreviews.authentication.k8s.io
# refused: everything else
can no create procgroups.procgroup.dev -n team-a
can no delete procgroups.procgroup.dev -n team-a
can no delete pods -n team-a
can no create pods -n team-a
can no create pods/exec -n team-a
can no update services -n team-a
can no get configmaps -n team-a
can no get nodes
can no create clusterroles.rbac.authorization.k8s.io
can no create clusterrolebindings.rbac.authorization.k8s.io
can no escalate roles.rbac.authorization.k8s.io -n team-a
can no bind roles.rbac.authorization.k8s.io -n team-a
can no create leases.coordination.k8s.io -n "$NS"
can no get customresourcedefinitions.apiextensions.k8s.io
sidecar_rbac team-a ok
sidecar_rbac team-b forbidden delete
run_operator cluster-wide team-b - -
[[ -n $op_root && -n $JAVA ]] && readme_can_i

"$HELM" uninstall pg -n "$NS" >/dev/null 2>&1
for ns in team-a team-b; do k delete role,rolebinding,serviceaccount,secret shop-hub -n "$ns" --ignore-not-found >/dev/null 2>&1; done

# ============================================================ namespaced + leader election install
if out=$("$HELM" install pg "$chart" -n "$NS" --wait=false --set 'watchNamespaces={team-a,team-b}' \
    --set leaderElection.enabled=true --set replicas=2 --set identity.enabled=false 2>&1); then
  pass "helm install (watchNamespaces team-a,team-b + leader election, peer mTLS off) accepted by the API server"
else fail "helm install (namespaced + leader election)" "$out"; finish; fi
for ns in team-a team-b; do
  for verb in get list watch patch update; do can yes "$verb" procgroups.procgroup.dev -n "$ns"; done
  can yes create roles.rbac.authorization.k8s.io -n "$ns"
  can yes list pods -n "$ns"
done
can no list procgroups.procgroup.dev -n team-c
can no list procgroups.procgroup.dev --all-namespaces
can no create deployments.apps -n team-c
can no list pods -n team-c
can no get secrets -n "$NS"
can no create tokenreviews.authentication.k8s.io   # peer mTLS off: no issuer, no grant
can yes create leases.coordination.k8s.io -n "$NS"
can yes get leases.coordination.k8s.io/procgroup-operator -n "$NS"
can yes update leases.coordination.k8s.io/procgroup-operator -n "$NS"
can yes patch leases.coordination.k8s.io/procgroup-operator -n "$NS"
can no get leases.coordination.k8s.io/someone-else -n "$NS"
can no delete leases.coordination.k8s.io/procgroup-operator -n "$NS"
can no create leases.coordination.k8s.io -n team-a
# JOSDK checks its Lease access with a SelfSubjectRulesReview (granted to everyone by system:basic-user)
can yes create selfsubjectrulesreviews.authorization.k8s.io
sidecar_rbac team-a ok
sidecar_rbac team-c forbidden
run_operator namespaced+leader team-b team-c "$NS"

"$HELM" uninstall pg -n "$NS" >/dev/null 2>&1
finish

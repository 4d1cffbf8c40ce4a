#!/usr/bin/env bash
# Smoke suite for the local cluster (run it after e2e/cluster/up). Each check prints PASS or FAIL with
# the reason; the last line is "N passed, N failed"; the exit status is non-zero if anything failed.
# Every wait is bounded. Workloads run in namespace procgroup-smoke, removed at the end.
set -uo pipefail
LOG_TAG=smoke
source "$(dirname "$0")/lib.sh"
ensure_prereqs all || exit

NS=procgroup-smoke
NODE_BASE=docker.io/procgroup/node-base:20
JRE_BASE=docker.io/procgroup/jre-base:17
export KUBECONFIG=$KUBECONFIG_ADMIN
k() { kubectl --request-timeout=20s "$@"; }
kn() { k -n "$NS" "$@"; }

passed=0 failed=0
# check TITLE FUNCTION: run one check; its stderr is shown only when it fails.
check() {
  local title=$1 fn=$2 out rc t0=$SECONDS
  printf '%-66s ' "$title" >&2
  # errexit inside the check (not in an `if`, where bash would ignore it): the first failing step fails it.
  out=$(set -e; $fn 2>&1); rc=$?
  if ((rc == 0)); then
    printf 'PASS (%ss)\n' $((SECONDS - t0)) >&2; passed=$((passed + 1))
    # What the check observed (its echo lines), as evidence.
    [[ -n $out ]] && grep -v '^\s*$' <<<"$out" | tail -4 | sed 's/^/    > /' >&2
  else
    printf 'FAIL (%ss)\n' $((SECONDS - t0)) >&2; failed=$((failed + 1))
    sed 's/^/    | /' <<<"$out" | tail -25 >&2
  fi
}
fail() { echo "$*"; return 1; }

# wait_phase POD PHASE SECONDS
wait_phase() {
  kn wait --for=jsonpath='{.status.phase}'="$2" "pod/$1" --timeout="${3}s" >/dev/null \
    || { kn get pod "$1" -o wide; kn describe pod "$1" | tail -15; return 1; }
}

setup() {
  k delete namespace "$NS" --ignore-not-found --wait=true --timeout=90s >/dev/null
  k create namespace "$NS" >/dev/null
  # Pods need the namespace's default ServiceAccount before they can be created.
  wait_for 30 "serviceaccount $NS/default" kn get serviceaccount default
}

# The namespace goes away in the background (pods get their grace period); setup() of the next run
# waits for it if it is still terminating.
teardown() {
  helm --kubeconfig "$KUBECONFIG" -n "$NS" uninstall smoke --timeout 30s >/dev/null 2>&1
  k delete namespace "$NS" --wait=false >/dev/null 2>&1 || log "could not delete namespace $NS"
}

# --- checks ---

node_ready() {
  local n; n=$(node_name)
  k wait --for=condition=Ready "node/$n" --timeout=30s || { k describe node "$n" | tail -30; return 1; }
}

local_image_runs_and_logs() {
  kn run jre-hello --image="$JRE_BASE" --image-pull-policy=IfNotPresent --restart=Never \
    --command -- java -XshowSettings:properties -version >/dev/null || return 1
  wait_phase jre-hello Succeeded 90 || return 1
  local logs; logs=$(kn logs jre-hello)
  grep -q 'openjdk version "17' <<<"$logs" || fail "unexpected log: $logs"
  grep -q 'user.name = app' <<<"$logs" || fail "JVM does not run as user app: $(grep user.name <<<"$logs")"
}

pod_to_pod_via_service() {
  kn apply -f - >/dev/null <<YAML || return 1
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 1
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: echo
          image: $NODE_BASE
          imagePullPolicy: IfNotPresent
          command: [node, -e, "require('http').createServer((q, s) => s.end('echo from ' + require('os').hostname())).listen(8080)"]
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
YAML
  kn rollout status deployment/echo --timeout=90s || return 1
  local ip; ip=$(kn get service echo -o jsonpath='{.spec.clusterIP}')
  # Also proves the Service env vars are injected (ECHO_SERVICE_HOST), as for any in-cluster client.
  kn run echo-client --image="$NODE_BASE" --image-pull-policy=IfNotPresent --restart=Never --command -- \
    node -e "const h=process.env.ECHO_SERVICE_HOST||'$ip';
      // kube-proxy may program a brand-new Service a moment after its endpoints are ready: retry briefly.
      let tries = 0;
      const get = () => require('http').get({host: h, port: 80, timeout: 5000}, r => { let b=''; r.on('data', d => b += d);
        r.on('end', () => { console.log('via ' + h + ': ' + r.statusCode + ' ' + b + ' (attempt ' + (tries + 1) + ')'); process.exit(r.statusCode === 200 ? 0 : 1); }); })
      .on('error', e => { if (++tries < 30) return setTimeout(get, 500); console.log('error ' + e.message); process.exit(1); });
      get();" >/dev/null || return 1
  wait_phase echo-client Succeeded 60 || { kn logs echo-client; return 1; }
  local out; out=$(kn logs echo-client)
  echo "$out"
  grep -q "via $ip: 200 echo from echo-" <<<"$out" || fail "unexpected answer through service $ip"
}

apiserver_with_serviceaccount_and_rbac() {
  kn apply -f - >/dev/null <<YAML || return 1
apiVersion: v1
kind: ServiceAccount
metadata: {name: pod-reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: pod-reader}
subjects: [{kind: ServiceAccount, name: pod-reader, namespace: $NS}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
---
apiVersion: v1
kind: Pod
metadata: {name: api-client}
spec:
  serviceAccountName: pod-reader
  restartPolicy: Never
  containers:
    - name: client
      image: $NODE_BASE
      imagePullPolicy: IfNotPresent
      command:
        - node
        - -e
        - |
          // The standard in-cluster configuration: service env vars, projected token and CA.
          const fs = require('fs'), https = require('https'), sa = '/var/run/secrets/kubernetes.io/serviceaccount/';
          const host = process.env.KUBERNETES_SERVICE_HOST, port = process.env.KUBERNETES_SERVICE_PORT;
          const opts = { host, port, ca: fs.readFileSync(sa + 'ca.crt'), timeout: 5000,
                         headers: { Authorization: 'Bearer ' + fs.readFileSync(sa + 'token', 'utf8') } };
          const get = p => new Promise((ok, ko) => https.get({ ...opts, path: p }, r => { r.resume(); ok(r.statusCode); }).on('error', ko));
          (async () => {
            const own = await get('/api/v1/namespaces/$NS/pods');
            const forbidden = await get('/api/v1/namespaces/kube-system/secrets');
            console.log('apiserver ' + host + ':' + port + ' list-own-pods=' + own + ' list-kube-system-secrets=' + forbidden);
          })().catch(e => { console.log('error ' + e.message); process.exit(1); });
YAML
  wait_phase api-client Succeeded 60 || { kn logs api-client; return 1; }
  local out; out=$(kn logs api-client)
  echo "$out"
  grep -q "apiserver $API_VIP:443 list-own-pods=200 list-kube-system-secrets=403" <<<"$out" \
    || fail "expected 200 for own pods and 403 for kube-system secrets through $API_VIP:443"
}

killed_container_is_restarted() {
  kn run restarter --image="$NODE_BASE" --image-pull-policy=IfNotPresent --restart=Always \
    --overrides='{"spec":{"terminationGracePeriodSeconds":1}}' --command -- node -e 'setInterval(() => {}, 1000)' >/dev/null || return 1
  wait_phase restarter Running 60 || return 1
  kn wait --for=condition=Ready pod/restarter --timeout=30s >/dev/null || return 1
  local id before
  before=$(kn get pod restarter -o jsonpath='{.status.containerStatuses[0].restartCount}')
  id=$(kn get pod restarter -o jsonpath='{.status.containerStatuses[0].containerID}'); id=${id#containerd://}
  [[ -n $id ]] || fail "no container id"
  # SIGKILL the container's main process from the host, like the OOM killer would.
  ctr_ tasks kill -s SIGKILL "$id" || return 1
  kn wait --for=jsonpath='{.status.containerStatuses[0].restartCount}'=$((before + 1)) pod/restarter --timeout=60s >/dev/null \
    || { kn get pod restarter -o yaml | sed -n '/containerStatuses/,$p'; return 1; }
  kn wait --for=condition=Ready pod/restarter --timeout=30s >/dev/null || fail "not Ready again after the restart"
  echo "restartCount $before -> $(kn get pod restarter -o jsonpath='{.status.containerStatuses[0].restartCount}')," \
    "last exit: $(kn get pod restarter -o jsonpath='{.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}')"
}

native_sidecar_starts_first() {
  kn apply -f - >/dev/null <<YAML || return 1
apiVersion: v1
kind: Pod
metadata: {name: with-sidecar}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: shared, emptyDir: {}}]
  initContainers:
    - name: sidecar
      restartPolicy: Always          # native sidecar (KEP-753)
      image: $NODE_BASE
      imagePullPolicy: IfNotPresent
      command: [sh, -c, "date +%s.%N > /shared/sidecar-ready; exec sleep 100000"]
      volumeMounts: [{name: shared, mountPath: /shared}]
      startupProbe: {exec: {command: [cat, /shared/sidecar-ready]}, periodSeconds: 1}
  containers:
    - name: app
      image: $NODE_BASE
      imagePullPolicy: IfNotPresent
      command: [sh, -c, "if [ -f /shared/sidecar-ready ]; then echo SIDECAR_STARTED_FIRST; else echo SIDECAR_MISSING; fi; exec sleep 100000"]
      volumeMounts: [{name: shared, mountPath: /shared}]
YAML
  kn wait --for=condition=Ready pod/with-sidecar --timeout=90s >/dev/null || { kn describe pod with-sidecar | tail -20; return 1; }
  local logs side app
  logs=$(kn logs with-sidecar -c app)
  side=$(kn get pod with-sidecar -o jsonpath='{.status.initContainerStatuses[0].state.running.startedAt}')
  app=$(kn get pod with-sidecar -o jsonpath='{.status.containerStatuses[0].state.running.startedAt}')
  echo "sidecar started $side, app started $app, app says: $logs"
  [[ -n $side ]] || fail "the sidecar is not running"
  [[ $logs == SIDECAR_STARTED_FIRST ]] || fail "the app container started before the sidecar was up"
  [[ ! $side > $app ]] || fail "sidecar startedAt is after the app's"
}

helm_install_chart() {
  local chart; chart=$CLUSTER_DIR/smoke/chart
  helm --kubeconfig "$KUBECONFIG" -n "$NS" install smoke "$chart" --wait --timeout 90s || return 1
  helm --kubeconfig "$KUBECONFIG" -n "$NS" status smoke | grep 'STATUS: deployed' >/dev/null || fail "release not deployed"
  kn rollout status deployment/smoke-web --timeout=30s || return 1
  helm --kubeconfig "$KUBECONFIG" -n "$NS" list
}

no_egress_and_controlled_dns() {
  # The REJECT for pod traffic leaving through any interface but the pod bridge is the first FORWARD rule, or
  # the first rule of kube-router's chain when kube-router's jump is first (see ensure_egress_block in up).
  local first; first=$(iptables -w -S FORWARD | sed -n 2p)
  if [[ $first =~ ^-A\ FORWARD\ .*-j\ KUBE-ROUTER-FORWARD$ ]]; then
    [[ $(iptables -w -S KUBE-ROUTER-FORWARD | sed -n 2p) == "-A KUBE-ROUTER-FORWARD -j PROCGROUP-EGRESS" ]] \
      || fail "kube-router's jump is the first FORWARD rule, but PROCGROUP-EGRESS is not the first rule of KUBE-ROUTER-FORWARD"
  else
    [[ $first == "-A FORWARD -j PROCGROUP-EGRESS" ]] || fail "PROCGROUP-EGRESS is not the first FORWARD rule"
  fi
  iptables -w -S PROCGROUP-EGRESS | grep -- "-s $POD_CIDR .*-j REJECT" >/dev/null || fail "no REJECT rule for $POD_CIDR"
  ! iptables -w -t nat -S | grep -E -- "-s $POD_CIDR.*MASQUERADE" || fail "pod traffic is masqueraded"
  local pod; pod=$(kn get pod -l app=echo -o jsonpath='{.items[0].metadata.name}')
  local conf; conf=$(kn exec "$pod" -- cat /etc/resolv.conf) || return 1
  echo "$conf"
  grep -q "^nameserver $DNS_VIP\$" <<<"$conf" && ! grep -v "^nameserver $DNS_VIP\$" <<<"$conf" | grep '^nameserver' >/dev/null \
    || fail "pod resolv.conf does not name the cluster DNS $DNS_VIP alone"
  grep -q "^search $NS.svc.$CLUSTER_DOMAIN svc.$CLUSTER_DOMAIN $CLUSTER_DOMAIN\$" <<<"$conf" || fail "pod resolv.conf lacks the cluster search path"
}

# The cluster DNS (CoreDNS behind kube-dns): a pod resolves the apiserver's and a Service's names, short
# and fully qualified, reaches the Service by name, and gets NXDOMAIN at once for anything outside.
dns_resolves_and_reaches_services() {
  local ip; ip=$(kn get service echo -o jsonpath='{.spec.clusterIP}')
  kn run dns-client --image="$NODE_BASE" --image-pull-policy=IfNotPresent --restart=Never --command -- \
    node -e "const dns = require('dns').promises, http = require('http');
      const get = (h) => new Promise((ok, ko) => http.get({host: h, port: 80, timeout: 5000}, r => { let b=''; r.on('data', d => b += d); r.on('end', () => ok(r.statusCode + ' ' + b)); }).on('error', ko));
      (async () => {
        for (const n of ['kubernetes.default', 'kubernetes.default.svc.$CLUSTER_DOMAIN', 'echo', 'echo.$NS.svc.$CLUSTER_DOMAIN'])
          console.log('lookup ' + n + ' = ' + (await dns.lookup(n)).address);
        console.log('GET http://echo.$NS.svc.$CLUSTER_DOMAIN/ = ' + await get('echo.$NS.svc.$CLUSTER_DOMAIN'));
        const t0 = Date.now();
        try { await dns.lookup('example.com'); console.log('example.com RESOLVED'); } catch (e) { console.log('lookup example.com: ' + e.code + ' in ' + (Date.now() - t0) + ' ms'); }
      })().catch(e => { console.log('error ' + e.message); process.exit(1); });" >/dev/null || return 1
  wait_phase dns-client Succeeded 60 || { kn logs dns-client; return 1; }
  local out; out=$(kn logs dns-client)
  echo "$out"
  grep -qx "lookup kubernetes.default = $API_VIP" <<<"$out" || fail "kubernetes.default did not resolve to $API_VIP"
  grep -qx "lookup kubernetes.default.svc.$CLUSTER_DOMAIN = $API_VIP" <<<"$out" || fail "the FQDN of kubernetes did not resolve"
  grep -qx "lookup echo = $ip" <<<"$out" || fail "echo (search path) did not resolve to $ip"
  grep -qx "lookup echo.$NS.svc.$CLUSTER_DOMAIN = $ip" <<<"$out" || fail "echo's FQDN did not resolve to $ip"
  grep -q "^GET http://echo.$NS.svc.$CLUSTER_DOMAIN/ = 200 echo from echo-" <<<"$out" || fail "the Service was not reached by name"
  grep -q '^lookup example.com: ENOTFOUND' <<<"$out" || fail "a name outside the cluster did not fail with NXDOMAIN"
  local events; events=$(kn get events --field-selector reason=MissingClusterDNS -o name)
  [[ -z $events ]] || fail "MissingClusterDNS events: $events"
}

# Behavioural egress check that cannot leak: the only route to TEST-NET-2 goes into a veth whose peer
# is an unconfigured netns, which drops whatever it is given. With the REJECT in place the pod's connect fails at once with
# "host unreachable" and the rule's counter rises; without it the packet would vanish into the dummy.
# The connect runs by `kubectl exec` in a pod that is already up: kube-router rewrites the whole filter table
# (iptables-restore, counters zeroed) at each sync, and it syncs on pod events, so the counter is read
# before and after with no pod event in between.
EGRESS_IF=pgsmoke0 EGRESS_NET=198.51.100.0/24 EGRESS_DST=198.51.100.7 EGRESS_SINK_PID=
egress_sink() {
  # This kernel has no dummy links: use a veth whose peer sits, unconfigured, in the network namespace
  # of a sleeping process (not `ip netns add`, which would re-mount /run/netns under the pods).
  unshare --net sleep 600 >/dev/null 2>&1 & EGRESS_SINK_PID=$!
  sleep 0.2
  ip link add "$EGRESS_IF" type veth peer name pgsmoke1 netns "$EGRESS_SINK_PID"
  nsenter --net="/proc/$EGRESS_SINK_PID/ns/net" ip link set pgsmoke1 up && ip link set "$EGRESS_IF" up
  ip route add "$EGRESS_NET" dev "$EGRESS_IF"
}
egress_is_rejected() {
  # Checks run in a subshell: this trap removes the sink however the check ends, keeping its result.
  # (errexit is on in here, so every cleanup step must succeed or be excused.)
  trap 'st=$?; kill "$EGRESS_SINK_PID" 2>/dev/null || true; ip link delete "$EGRESS_IF" 2>/dev/null || true; exit $st' EXIT
  egress_sink
  local before after out rc=0
  kn run egress-probe --image="$NODE_BASE" --image-pull-policy=IfNotPresent --restart=Never \
    --overrides='{"spec":{"terminationGracePeriodSeconds":1}}' --command -- sleep 100000 >/dev/null || return 1
  kn wait --for=condition=Ready pod/egress-probe --timeout=60s >/dev/null || { kn describe pod egress-probe | tail -15; return 1; }
  sleep 2   # kube-router's syncs for the new pod are over
  before=$(iptables -w -L PROCGROUP-EGRESS -v -x -n | awk '/REJECT/{print $1}')
  out=$(kn exec egress-probe -- node -e "require('net').connect({host: '$EGRESS_DST', port: 80, timeout: 5000})
      .on('connect', () => { console.log('CONNECTED'); process.exit(1); })
      .on('timeout', () => { console.log('TIMEOUT (not rejected)'); process.exit(1); })
      .on('error', e => { console.log('refused: ' + e.code); process.exit(0); });" 2>&1) || rc=1
  after=$(iptables -w -L PROCGROUP-EGRESS -v -x -n | awk '/REJECT/{print $1}')
  echo "pod -> $EGRESS_DST:80: $out; REJECT counter $before -> $after"
  ((rc == 0)) || return 1
  grep -q 'refused: EHOSTUNREACH' <<<"$out" || fail "expected EHOSTUNREACH from the REJECT rule"
  ((after > before)) || fail "the REJECT rule did not count the packet"
}

# NetworkPolicies are enforced (kube-router, policy-only): a server pod behind a policy that lets in only pods
# labelled role=allowed. Without the policy the other client connects; with it the allowed client connects and
# the other is refused, while the server stays Ready (kubelet probes come from the node, which kube-router always
# lets in); once the policy is deleted the other client connects again. Fails if nothing enforces policies (the
# refusal never comes). Connections go straight to the pod IP, by kubectl exec from clients that are up.
# np_probe CLIENT IP: one TCP connect from pod CLIENT to IP:8080; prints CONNECTED, TIMEOUT or the error code
# (node exits 0 whatever the outcome, so that a last line from kubectl itself can only be kubectl's own error).
np_probe() {
  kn exec "$1" -- node -e "require('net').connect({host: '$2', port: 8080, timeout: 2000})
    .on('connect', function () { console.log('CONNECTED'); this.destroy(); process.exit(0); })
    .on('timeout', () => { console.log('TIMEOUT'); process.exit(0); })
    .on('error', e => { console.log(e.code); process.exit(0); });" 2>&1 | tail -1
}
# np_until SECONDS CLIENT IP connected|blocked: probe every 0.5 s until the outcome is the wanted one; prints
# the last outcome and how long it took. "blocked" is a refusal or a timeout, not any failure (kubectl's own).
np_until() {
  local t0=$SECONDS r
  while :; do
    r=$(np_probe "$2" "$3") || true
    case $4:$r in connected:CONNECTED | blocked:ECONNREFUSED | blocked:TIMEOUT | blocked:EHOSTUNREACH)
      echo "$r after $((SECONDS - t0))s"; return 0 ;; esac
    ((SECONDS - t0 < $1)) || { echo "$r (still, after ${1}s)"; return 1; }
    sleep 0.5
  done
}
network_policy_enforced() {
  kn apply -f - >/dev/null <<YAML || return 1
apiVersion: v1
kind: Pod
metadata: {name: np-server, labels: {app: np-server}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: server
      image: $NODE_BASE
      imagePullPolicy: IfNotPresent
      command: [node, -e, "require('http').createServer((q, s) => s.end('np-server')).listen(8080)"]
      ports: [{containerPort: 8080}]
      readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1, failureThreshold: 1}
---
apiVersion: v1
kind: Pod
metadata: {name: np-allowed, labels: {role: allowed}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: client, image: $NODE_BASE, imagePullPolicy: IfNotPresent, command: [sleep, "100000"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: np-other, labels: {role: other}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: client, image: $NODE_BASE, imagePullPolicy: IfNotPresent, command: [sleep, "100000"]}]
YAML
  kn wait --for=condition=Ready pod/np-server pod/np-allowed pod/np-other --timeout=90s >/dev/null \
    || { kn get pods -o wide; return 1; }
  local ip r; ip=$(kn get pod np-server -o jsonpath='{.status.podIP}')
  [[ -n $ip ]] || fail "np-server has no pod IP"
  r=$(np_until 30 np-other "$ip" connected) || fail "without a policy, np-other -> $ip:8080: $r"
  echo "no policy: np-other -> np-server $ip:8080 $r"
  kn apply -f - >/dev/null <<YAML || return 1
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np-server-from-allowed}
spec:
  podSelector: {matchLabels: {app: np-server}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {role: allowed}}}], ports: [{protocol: TCP, port: 8080}]}]
YAML
  r=$(np_until 30 np-other "$ip" blocked) \
    || fail "policy not enforced (is kube-router running? e2e/cluster/status): np-other -> $ip:8080: $r"
  echo "policy applied: np-other $r"
  local i
  for i in 1 2 3; do   # stays blocked, while the allowed client gets in
    r=$(np_probe np-other "$ip") || true
    [[ $r == ECONNREFUSED || $r == TIMEOUT || $r == EHOSTUNREACH ]] || fail "np-other -> $ip:8080 got through the policy: $r"
    r=$(np_probe np-allowed "$ip") || true
    [[ $r == CONNECTED ]] || fail "np-allowed (role=allowed) -> $ip:8080 was not let in: $r"
  done
  echo "policy applied: np-allowed CONNECTED, np-other refused (3 times each)"
  [[ $(kn get pod np-server -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}') == True ]] \
    || fail "np-server is not Ready under the policy: the kubelet's probes were blocked"
  kn delete networkpolicy np-server-from-allowed --wait=true >/dev/null || return 1
  r=$(np_until 30 np-other "$ip" connected) || fail "after the policy was deleted, np-other -> $ip:8080: $r"
  echo "policy deleted: np-other $r (np-server was Ready under the policy)"
}

# Not one of the required checks: only when images/build-node-chromium has been built and imported.
headless_chromium_renders() {
  kn run chromium --image=docker.io/procgroup/node-chromium:20 --image-pull-policy=IfNotPresent --restart=Never \
    --command -- chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --dump-dom 'data:text/html,<p id=x>chromium</p><script>x.textContent+="-ran-js"</script>' >/dev/null || return 1
  wait_phase chromium Succeeded 120 || { kn logs chromium | tail -20; return 1; }
  local out; out=$(kn logs chromium)
  grep -q 'chromium-ran-js' <<<"$out" || fail "unexpected output: $(tail -5 <<<"$out")"
  echo "$(grep -o '<p id="x">[^<]*</p>' <<<"$out")"
}

main() {
  [[ -f $KUBECONFIG_ADMIN ]] || { echo "no cluster: run e2e/cluster/up first" >&2; echo "0 passed, 1 failed"; exit 1; }
  log "Kubernetes $(k version -o json 2>/dev/null | sed -n 's/.*"gitVersion": "\(v1[^"]*\)".*/\1/p' | tail -1), namespace $NS"
  check "node is Ready" node_ready
  setup || { failed=$((failed + 1)); echo "setup of namespace $NS failed" >&2; }
  check "pod from a locally built image (jre-base) runs and logs" local_image_runs_and_logs
  check "pod -> pod through a ClusterIP Service" pod_to_pod_via_service
  check "in-cluster client: SA token via $API_VIP:443, RBAC 200/403" apiserver_with_serviceaccount_and_rbac
  check "killed container is restarted, restartCount rises" killed_container_is_restarted
  check "native sidecar (restartPolicy Always init) starts before app" native_sidecar_starts_first
  check "helm install of a trivial chart" helm_install_chart
  check "pods resolve names by the cluster DNS and reach a Service by name" dns_resolves_and_reaches_services
  check "egress rules in place, no masquerade, cluster DNS in resolv.conf" no_egress_and_controlled_dns
  check "pod traffic leaving the host is rejected (sink route)" egress_is_rejected
  check "NetworkPolicy enforced: only role=allowed reaches the server" network_policy_enforced
  if image_present docker.io/procgroup/node-chromium:20; then
    check "node-chromium image: headless chromium runs JS in a pod" headless_chromium_renders
  else
    printf '%-66s SKIP (image not built: images/build-node-chromium)\n' "node-chromium image: headless chromium runs JS in a pod" >&2
    skipped "the node-chromium smoke check" "image not built" || failed=$((failed + 1))
  fi
  teardown
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main "$@"

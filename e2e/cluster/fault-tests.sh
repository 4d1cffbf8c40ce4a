#!/usr/bin/env bash
# Fault tests of the local cluster itself (run after e2e/cluster/up). Each step crashes daemons (SIGKILL,
# or an outage held open), waits for the cluster to heal with no manual step, then makes a Deployment
# scale change and requires it to converge: exactly that many pods Ready and no other pod of it left.
# Every wait is bounded; each step prints PASS/FAIL with its recovery and convergence times, which are
# also written to $LOGS/fault-tests.txt. Exit status non-zero if any step failed.
set -uo pipefail
LOG_TAG=faults
source "$(dirname "$0")/lib.sh"
ensure_prereqs all || exit
[[ $EUID -eq 0 ]] || die "must run as root"

NS=procgroup-faults
NODE_BASE=docker.io/procgroup/node-base:20
RESULTS=$LOGS/fault-tests.txt
k() { kubectl_ "$@"; }
kn() { k -n "$NS" "$@"; }

passed=0 failed=0
: > "$RESULTS"
# step TITLE FUNCTION: one fault; its output is shown in full when it fails, its last lines when it passes.
step() {
  local title=$1 fn=$2 out rc t0=$SECONDS
  printf '%-62s ' "$title" >&2
  out=$(set -e; $fn 2>&1); rc=$?
  if ((rc == 0)); then printf 'PASS (%ss)\n' $((SECONDS - t0)) >&2; passed=$((passed + 1))
  else printf 'FAIL (%ss)\n' $((SECONDS - t0)) >&2; failed=$((failed + 1)); fi
  sed 's/^/    > /' <<<"$out" | tail -$((rc ? 30 : 4)) >&2
  printf '%s: %s\n%s\n' "$( ((rc)) && echo FAIL || echo PASS)" "$title" "$(sed 's/^/  /' <<<"$out")" >> "$RESULTS"
}
fail() { echo "$*"; return 1; }

now_ms() { date +%s%3N; }
api_ready() { curl -sf --max-time 2 --cacert "$PKI/ca.crt" "https://127.0.0.1:$API_PORT/readyz" >/dev/null; }

# wait_ms SECONDS DESCRIPTION COMMAND...: wait_for, polling every 0.2 s; prints the wait in ms, or why not.
wait_ms() {
  local t0; t0=$(now_ms)
  WAIT_POLL=0.2 wait_for "$@" 2>&1 || return 1
  echo $(($(now_ms) - t0))
}

# crash NAME: SIGKILL the daemon (its supervisor lives on, as systemd or the kubelet would).
crash() {
  is_running "$1" || fail "$1 is not running before the fault"
  kill -KILL "$(<"$(pidfile "$1")")"
}

# restarted NAME OLD_PID: a new process of NAME runs, and it passes its liveness probe.
restarted() { is_running "$1" && [[ $(<"$(pidfile "$1")") != "$2" ]] && probe "$1"; }

# converged N: the Deployment saw its latest spec, and exactly N pods of it exist, all Ready.
converged() {
  local want=$1 st pods
  st=$(kn get deployment scaler -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.replicas} {.status.readyReplicas} {.status.updatedReplicas}') || return 1
  read -r gen obs rep ready upd <<<"$st"
  [[ $gen == "$obs" && $rep == "$want" && ${ready:-0} == "$want" && ${upd:-0} == "$want" ]] || return 1
  pods=$(kn get pods -l app=scaler -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}') || return 1
  [[ $(grep -c . <<<"$pods") == "$want" && $(grep -c ' Running True$' <<<"$pods") == "$want" ]]
}

# scale_converges N: a scale change made now converges within 120 s; prints the time.
scale_converges() {
  local n=$1 ms
  wait_ms 60 "the apiserver to accept the scale change" kn scale deployment scaler --replicas="$n" >/dev/null || return 1
  ms=$(wait_ms 120 "deployment scaler at exactly $n Ready pods" converged "$n") || { echo "$ms"; kn get deployment,pods -o wide; return 1; }
  echo "scale to $n converged in ${ms} ms"
}

setup() {
  k delete namespace "$NS" --ignore-not-found --wait=true --timeout=90s >/dev/null
  k create namespace "$NS" >/dev/null
  wait_for 30 "serviceaccount $NS/default" kn get serviceaccount default || return 1
  kn apply -f - >/dev/null <<YAML || return 1
apiVersion: apps/v1
kind: Deployment
metadata: {name: scaler}
spec:
  replicas: 1
  selector: {matchLabels: {app: scaler}}
  template:
    metadata: {labels: {app: scaler}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: app
          image: $NODE_BASE
          imagePullPolicy: IfNotPresent
          command: [node, -e, "require('http').createServer((q, s) => s.end('ok')).listen(8080)"]
          readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
YAML
  wait_ms 120 "deployment scaler at 1 Ready pod" converged 1 >/dev/null
}

# kill_and_scale NAME HEALED_CHECK... : crash NAME, wait until it is back and healthy and HEALED_CHECK
# holds, then require a scale change to converge.
kill_and_scale() {
  local name=$1 replicas=$2; shift 2
  local old restarts ms
  old=$(<"$(pidfile "$name")"); restarts=$(restarts_of "$name")
  crash "$name"
  ms=$(wait_ms 90 "$name restarted by its supervisor and healthy" restarted "$name" "$old") || { echo "$ms"; tail -5 "$LOGS/$name.log"; return 1; }
  echo "$name (pid $old) SIGKILLed: back and healthy in ${ms} ms (pid $(<"$(pidfile "$name")"), restarts $restarts -> $(restarts_of "$name"))"
  if (($#)); then
    ms=$(wait_ms 90 "$*" "$@") || { echo "$ms"; return 1; }
    echo "then $* in ${ms} ms"
  fi
  (($(restarts_of "$name") == restarts + 1)) || fail "$name restarts: $restarts -> $(restarts_of "$name"), want +1"
  scale_converges "$replicas"
}

node_ready() {
  k get node "$(node_name)" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' | grep -qx True
}

# A pod of the Deployment resolves a name through the cluster DNS.
pod_resolves() {
  local pod; pod=$(kn get pods -l app=scaler -o jsonpath='{.items[0].metadata.name}')
  kn exec "$pod" -- node -e "require('dns').lookup('kubernetes.default', (e, a) => { if (e || a !== '$API_VIP') process.exit(1); })"
}

apiserver_killed() { kill_and_scale kube-apiserver 2 api_ready; }
etcd_killed() { kill_and_scale etcd 1 api_ready; }
kubelet_killed() { kill_and_scale kubelet 2 node_ready; }
controller_manager_killed() { kill_and_scale kube-controller-manager 1; }
scheduler_killed() { kill_and_scale kube-scheduler 2; }
containerd_killed() { kill_and_scale containerd 1 node_ready; }
kube_proxy_killed() { kill_and_scale kube-proxy 2; }
coredns_killed() { kill_and_scale coredns 1 pod_resolves; }
metrics_api() { k get --raw "/apis/metrics.k8s.io/v1beta1/namespaces/$NS/pods" | grep -q '"containers"'; }
metrics_server_killed() { kill_and_scale metrics-server 2 metrics_api; }
# Back from a SIGKILL, kube-router finds its chains in place and syncs them; the egress block still comes first.
kube_router_in_place() {
  iptables -w -S FORWARD | grep -- '-j KUBE-ROUTER-FORWARD$' >/dev/null \
    && [[ $(iptables -w -S KUBE-ROUTER-FORWARD | sed -n 2p) == "-A KUBE-ROUTER-FORWARD -j PROCGROUP-EGRESS" ]]
}
kube_router_killed() { kill_and_scale kube-router 1 kube_router_in_place; }

# The outage of the bug report: the apiserver gone for longer than the controllers' lease, then back.
# The controller-manager and scheduler lose their leases and are restarted by their supervisors; a scale
# change made after the apiserver is back must converge (it did not, with a wedged controller-manager).
OUTAGE=${PROCGROUP_FAULT_OUTAGE_SECONDS:-30}
controllers_healthy() {
  is_running kube-controller-manager && is_running kube-scheduler && probe kube-controller-manager && probe kube-scheduler
}
apiserver_outage() {
  local old cm_restarts ms
  old=$(<"$(pidfile kube-apiserver)"); cm_restarts=$(restarts_of kube-controller-manager)
  touch "$RUN/kube-apiserver.hold"
  crash kube-apiserver
  local t0=$SECONDS
  while ((SECONDS - t0 < OUTAGE)); do
    ! api_ready || { rm -f "$RUN/kube-apiserver.hold"; fail "the apiserver answered during the held outage"; }
    sleep 1
  done
  rm -f "$RUN/kube-apiserver.hold"
  ms=$(wait_ms 90 "kube-apiserver back" restarted kube-apiserver "$old") || { echo "$ms"; return 1; }
  echo "kube-apiserver down for ${OUTAGE}s, then back and healthy in ${ms} ms"
  ms=$(wait_ms 120 "controller-manager and scheduler healthy" controllers_healthy) || { echo "$ms"; return 1; }
  echo "controller-manager restarts $cm_restarts -> $(restarts_of kube-controller-manager) (lost its lease), healthy ${ms} ms after the apiserver"
  scale_converges 3
}

# `up` is the repair command: a supervisor that died is brought back and adopts its running daemon (no
# restart); a daemon whose supervisor died with it (nothing left to restart it) is started again; a second
# `up` changes nothing.
daemons_snapshot() { local c; for c in "${COMPONENTS[@]}"; do echo "$c $(cat "$(pidfile "$c")" 2>/dev/null) $(restarts_of "$c")"; done; }
up_repairs_and_is_idempotent() {
  local proxy_pid sched_pid before after
  proxy_pid=$(<"$(pidfile kube-proxy)")
  kill -KILL "$(<"$(supervisor_pidfile kube-proxy)")"
  sched_pid=$(<"$(pidfile kube-scheduler)")
  kill -KILL "$(<"$(supervisor_pidfile kube-scheduler)")"; crash kube-scheduler
  sleep 3
  ! is_running kube-scheduler || fail "kube-scheduler came back without a supervisor"
  "$CLUSTER_DIR/up" >/dev/null 2>&1 || fail "up failed"
  supervisor_running kube-proxy || fail "up did not bring back kube-proxy's supervisor"
  [[ $(<"$(pidfile kube-proxy)") == "$proxy_pid" ]] || fail "kube-proxy was restarted instead of adopted"
  echo "supervisor of kube-proxy SIGKILLed: up brought it back; it adopted kube-proxy (pid $proxy_pid, not restarted)"
  supervisor_running kube-scheduler && is_running kube-scheduler && [[ $(<"$(pidfile kube-scheduler)") != "$sched_pid" ]] \
    || fail "up did not start kube-scheduler again"
  wait_ms 60 "kube-scheduler healthy" controllers_healthy >/dev/null || fail "kube-scheduler not healthy after up"
  echo "kube-scheduler and its supervisor SIGKILLed: up started both again (pid $sched_pid -> $(<"$(pidfile kube-scheduler)"))"
  before=$(daemons_snapshot)
  "$CLUSTER_DIR/up" >/dev/null 2>&1 || fail "second up failed"
  after=$(daemons_snapshot)
  [[ $before == "$after" ]] || fail "a second up changed something: $(diff <(echo "$before") <(echo "$after"))"
  echo "second up on a healthy cluster: every daemon's pid and restart count unchanged"
  scale_converges 2
}

main() {
  [[ -f $KUBECONFIG_ADMIN ]] && api_ready || { echo "no cluster: run e2e/cluster/up first" >&2; echo "0 passed, 1 failed"; exit 1; }
  step "setup: namespace $NS, deployment scaler at 1" setup || true
  step "kube-apiserver SIGKILLed -> back; scale 1 -> 2 converges" apiserver_killed
  step "etcd SIGKILLed -> apiserver ready; scale 2 -> 1 converges" etcd_killed
  step "kubelet SIGKILLed -> node Ready; scale 1 -> 2 converges" kubelet_killed
  step "kube-controller-manager SIGKILLed; scale 2 -> 1 converges" controller_manager_killed
  step "kube-scheduler SIGKILLed; scale 1 -> 2 converges" scheduler_killed
  step "containerd SIGKILLed -> node Ready; scale 2 -> 1 converges" containerd_killed
  step "kube-proxy SIGKILLed; scale 1 -> 2 converges" kube_proxy_killed
  step "CoreDNS SIGKILLed -> a pod resolves; scale 2 -> 1 converges" coredns_killed
  step "metrics-server SIGKILLed -> pod metrics served; scale 1 -> 2" metrics_server_killed
  step "kube-router SIGKILLed -> policy chains in place; scale 2 -> 1" kube_router_killed
  step "kube-apiserver down ${OUTAGE}s -> controllers recover; scale 1 -> 3" apiserver_outage
  step "up repairs (supervisor replaced, dead daemon restarted), then no-op; scale 3 -> 2" up_repairs_and_is_idempotent
  k delete namespace "$NS" --wait=false >/dev/null 2>&1
  echo "$passed passed, $failed failed (details: $RESULTS)"
  ((failed == 0))
}

main "$@"

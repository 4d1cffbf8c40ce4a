# Shared settings and helpers for e2e/cluster/{up,down,status,smoke.sh} and images/*.
# Sourced, not executed. Everything the cluster owns lives under a few fixed paths so that
# `down` can find and remove all of it, even after a crashed or half-finished `up`.
# shellcheck shell=bash

CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$CLUSTER_DIR/versions.env"

# Persistent state (PKI, kubeconfigs, containerd content store with the imported images, logs).
STATE=${PROCGROUP_CLUSTER_STATE:-/var/lib/procgroup-cluster}
PKI=$STATE/pki
LOGS=$STATE/logs
# Volatile state (pid files, sockets, containerd state); removed by `down`.
RUN=/run/procgroup-cluster
ETCD_DATA=/dev/shm/procgroup-etcd            # tmpfs: no fsync latency; the cluster is throw-away
KUBELET_DIR=/var/lib/kubelet
CNI_NET=procgroup                           # CNI network name
CNI_CONF_DIR=$STATE/cni/net.d                # private: never touches /etc/cni/net.d
CNI_IPAM_DIR=$RUN/cni-ipam                   # host-local lease files
CNI_BRIDGE=cni0
CTR_SOCK=$RUN/containerd.sock
KUBECONFIG_ADMIN=$STATE/admin.kubeconfig
IMAGES_DIR=$CLUSTER_DIR/.images

POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24                  # the controller-manager allocates this one to the only node
SVC_CIDR=10.96.0.0/16
API_VIP=10.96.0.1
DNS_VIP=10.96.0.10                           # the kube-dns Service; kubelet's clusterDNS
CLUSTER_DOMAIN=cluster.local
API_PORT=6443
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
PAUSE_IMAGE=registry.k8s.io/pause:3.10       # must equal containerd's sandbox_image and the imported name

K8S_BIN=$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin
ETCD_BIN=$PROCGROUP_CACHE/etcd/$ETCD_VERSION/bin
HELM_BIN=$PROCGROUP_CACHE/helm/$HELM_VERSION/bin
COREDNS_BIN=$PROCGROUP_CACHE/coredns/$COREDNS_VERSION/bin
METRICS_SERVER_BIN=$PROCGROUP_CACHE/metrics-server/$METRICS_SERVER_VERSION/bin
KUBE_ROUTER_BIN=$PROCGROUP_CACHE/kube-router/$KUBE_ROUTER_VERSION/bin
KUBE_ROUTER_HEALTH_PORT=20244                 # kube-router's /healthz (its default port; it listens on all addresses)
CNI_BIN=/usr/lib/cni

# Processes `up` starts (each under its supervisor), in start order. `down` stops them in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler coredns containerd kubelet kube-proxy kube-router metrics-server)

export PATH=$K8S_BIN:$ETCD_BIN:$HELM_BIN:$COREDNS_BIN:$METRICS_SERVER_BIN:$KUBE_ROUTER_BIN:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# ensure_prereqs [all|packages]: run the one installer (e2e/cluster/prereqs) once per command, however
# many entry points a command goes through (make test -> up -> images/load ...).
ensure_prereqs() {
  [[ ${PROCGROUP_PREREQS_DONE:-} == "${1:-all}" || ${PROCGROUP_PREREQS_DONE:-} == all ]] && return 0
  "$CLUSTER_DIR/prereqs" "${1:-all}" || return
  export PROCGROUP_PREREQS_DONE=${1:-all}
}

# skipped WHAT WHY: say loudly that a part of the build or tests is skipped; in CI (CI=true) a skip is a
# failure, so a flag left set can never make a green run out of an incomplete one.
skipped() {
  log "!!! SKIPPED: $1 ($2)"
  if [[ ${CI:-} == true ]]; then log "ERROR: nothing may be skipped in CI (CI=true)"; return 1; fi
}

log() { printf '[%s %(%H:%M:%S)T] %s\n' "${LOG_TAG:-cluster}" -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# phase [-t SECONDS] NAME CMD...: runs one step of a driver, records its duration and result; returns the
# command's status. With -t the step runs in the background under a watchdog: past SECONDS it and every process
# it started are killed and the phase fails (124), so no hung test holds a run until CI's own limit. Without -t
# it runs in this shell (a step that exports variables for the next ones needs that).
# phase_summary prints what was recorded. Used by run-smoke and the project's top-level commands (e2e/bin).
declare -a PHASES=()
PHASE_PID=
phase() {
  local limit=0 rc
  if [[ $1 == -t ]]; then limit=$2; shift 2; fi
  local name=$1 t0=$SECONDS; shift
  log "=== $name ==="
  if ((limit > 0)); then
    "$@" &
    PHASE_PID=$!
    local deadline=$((SECONDS + limit))
    while kill -0 "$PHASE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 1; done
    if kill -0 "$PHASE_PID" 2>/dev/null; then
      log "phase $name still running after ${limit}s: killing it and everything it started"
      kill_tree "$PHASE_PID" TERM; sleep 10; kill_tree "$PHASE_PID" KILL
      wait "$PHASE_PID" 2>/dev/null
      rc=124
    else
      wait "$PHASE_PID"; rc=$?
    fi
    PHASE_PID=
  else
    "$@"; rc=$?
  fi
  PHASES+=("$(printf '%-22s %5ss  %s' "$name" $((SECONDS - t0)) "$([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)")")")
  return $rc
}
# kill_tree PID SIGNAL: the process and all its descendants, children first found while the parent still holds them.
kill_tree() {
  local pid=$1 sig=$2 child
  kill -STOP "$pid" 2>/dev/null
  for child in $(pgrep -P "$pid"); do kill_tree "$child" "$sig"; done
  kill -"$sig" "$pid" 2>/dev/null
  kill -CONT "$pid" 2>/dev/null
}
phase_summary() {
  log "=== phase durations ==="
  printf '  %s\n' "${PHASES[@]}" >&2
}

# The node's name and the host's real IP: pods reach the apiserver through the 10.96.0.1 VIP, which
# kube-proxy DNATs to this address, so it must not be loopback.
node_name() { hostname | tr 'A-Z' 'a-z'; }
node_ip() {
  local dev ip
  dev=$(ip -4 route show default 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="dev"){print $(i+1); exit}}')
  if [[ -n $dev ]]; then
    ip=$(ip -4 -o addr show dev "$dev" scope global | awk '{sub(/\/.*/,"",$4); print $4; exit}')
  fi
  [[ -n ${ip:-} ]] || ip=$(ip -4 -o addr show scope global | awk '$2!="'$CNI_BRIDGE'"{sub(/\/.*/,"",$4); print $4; exit}')
  [[ -n $ip ]] || die "no global IPv4 address on this host (the apiserver needs one pods can reach)"
  echo "$ip"
}

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every WAIT_POLL seconds (default 0.5) until it
# succeeds or time runs out.
wait_for() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "timed out after ${timeout}s waiting for $what"; return 1; }
    sleep "${WAIT_POLL:-0.5}"
  done
}

# wait_daemon NAME SECONDS DESCRIPTION COMMAND...: like wait_for, but give up early when daemon NAME keeps
# exiting (a port conflict, a bad flag: its supervisor restarted it 3 times) or has no supervisor left.
wait_daemon() {
  local name=$1 timeout=$2 what=$3; shift 3
  local deadline=$((SECONDS + timeout)) restarts0; restarts0=$(restarts_of "$name")
  until "$@" >/dev/null 2>&1; do
    if (($(restarts_of "$name") - restarts0 >= 3)) || { ! is_running "$name" && ! supervisor_running "$name"; }; then
      log "$name keeps exiting while waiting for $what (restarts: $(restarts_of "$name"))"; return 1
    fi
    ((SECONDS < deadline)) || { log "timed out after ${timeout}s waiting for $what"; return 1; }
    sleep 0.5
  done
}

pidfile() { echo "$RUN/$1.pid"; }

# terminate PID GRACE_SECONDS: SIGTERM, then SIGKILL once the grace period is over; returns when the
# process is gone, with status 1 if it had to be killed. The one stop sequence of daemons and supervisors.
terminate() {
  local pid=$1 deadline=$((SECONDS + $2)) rc=0
  kill -TERM "$pid" 2>/dev/null || true
  while [[ -d /proc/$pid ]] && ((SECONDS < deadline)); do sleep 0.2; done
  if [[ -d /proc/$pid ]]; then kill -KILL "$pid" 2>/dev/null || true; rc=1; fi
  while [[ -d /proc/$pid ]]; do sleep 0.1; done
  return $rc
}
supervisor_pidfile() { echo "$RUN/$1.supervisor.pid"; }

# write_if_changed PATH < CONTENT: replace PATH only if the content differs; succeed only if it changed.
# kube-proxy exits whenever its config file is written, so an idempotent `up` must not rewrite it.
write_if_changed() {
  local f=$1 tmp
  tmp=$(mktemp "$f.XXXX")
  cat > "$tmp"
  if [[ -f $f ]] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; return 1; fi
  mv "$tmp" "$f"
}

# is_running NAME: the pid file exists and names a live process running the expected binary.
# Checking the executable guards against a recycled pid after a crash.
is_running() {
  local pf pid exe
  pf=$(pidfile "$1"); [[ -f $pf ]] || return 1
  pid=$(<"$pf"); [[ -n $pid && -d /proc/$pid ]] || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ ${exe##*/} == "$1" || ${exe##*/} == "$1 (deleted)" ]]
}

# supervisor_running NAME: NAME's supervisor (e2e/cluster/supervise) is alive.
supervisor_running() {
  local pf pid
  pf=$(supervisor_pidfile "$1"); [[ -f $pf ]] || return 1
  pid=$(<"$pf"); [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"/supervise $1 "* ]]
}

restarts_of() { cat "$RUN/$1.restarts" 2>/dev/null || echo 0; }

# probe NAME: run NAME's liveness probe (as recorded by start_daemon) once.
probe() {
  local p; p=$(cat "$RUN/$1.probe" 2>/dev/null)
  [[ -z $p ]] || timeout 5 bash -c "$p" >/dev/null 2>&1
}

# start_daemon NAME [--probe CMD] [--grace SECONDS] ARGS...: run NAME (found in PATH) under its supervisor
# (e2e/cluster/supervise: restarted when it exits or its liveness probe CMD keeps failing), logging to
# $LOGS/NAME.log. Idempotent, as a second `up` needs: a healthy daemon with the same flags is left alone;
# changed flags restart it; a failing probe restarts it; a daemon whose supervisor died is adopted.
start_daemon() {
  local name=$1 probe_cmd= grace=10; shift
  while :; do
    case ${1:-} in
      --probe) probe_cmd=$2; shift 2 ;;
      --grace) grace=$2; shift 2 ;;
      *) break ;;
    esac
  done
  local bin; bin=$(command -v "$name") || die "$name not found in PATH (run e2e/cluster/prereqs)"
  mkdir -p "$LOGS" "$RUN"
  local cmd=$RUN/$name.cmd new
  new=$(mktemp "$cmd.XXXX"); printf '%s\0' "$bin" "$@" > "$new"
  printf '%s' "$probe_cmd" > "$RUN/$name.probe"
  echo "$grace" > "$RUN/$name.grace"
  if supervisor_running "$name"; then
    if ! cmp -s "$new" "$cmd"; then
      mv "$new" "$cmd"; log "$name: flags changed, restarting it"; restart_daemon "$name"
    elif ! is_running "$name"; then
      rm -f "$new"; log "$name: down, its supervisor is restarting it (restarts: $(restarts_of "$name"))"
    elif ! probe "$name" && { sleep 2; ! probe "$name"; }; then
      rm -f "$new"; log "$name: unhealthy (liveness probe failed twice), restarting it"; restart_daemon "$name"
    else
      rm -f "$new"; log "$name already running (pid $(<"$(pidfile "$name")"), restarts: $(restarts_of "$name"))"
    fi
    return 0
  fi
  if is_running "$name" && ! cmp -s "$new" "$cmd"; then
    log "$name runs unsupervised with other flags: stopping it first"; stop_daemon "$name" "$grace"
  fi
  mv "$new" "$cmd"
  # One log per supervisor start (the previous one is kept as .1), so a failure's tail shows this run only.
  if ! is_running "$name" && [[ -f $LOGS/$name.log ]]; then mv -f "$LOGS/$name.log" "$LOGS/$name.log.1"; fi
  rm -f "$RUN/$name.started"
  setsid "$CLUSTER_DIR/supervise" "$name" </dev/null >>"$LOGS/supervise.log" 2>&1 &
  echo $! > "$(supervisor_pidfile "$name")"
  local deadline=$((SECONDS + 10))
  until [[ -f $RUN/$name.started ]] && is_running "$name"; do
    ((SECONDS < deadline)) || die "$name did not start (log: $LOGS/$name.log, $LOGS/supervise.log)"
    sleep 0.1
  done
  log "started $name (pid $(<"$(pidfile "$name")"), supervised by pid $!)"
}

# restart_daemon NAME: end the daemon; its supervisor starts it again (with the current flags).
restart_daemon() {
  is_running "$1" || return 0
  terminate "$(<"$(pidfile "$1")")" "$(cat "$RUN/$1.grace" 2>/dev/null || echo 10)" || true
  wait_for 30 "$1 restarted by its supervisor" is_running "$1" || die "$1 was not restarted (log: $LOGS/$1.log)"
}

# stop_daemon NAME [GRACE_SECONDS]: stop the supervisor (which stops the daemon: SIGTERM, then SIGKILL
# after the grace period); a daemon without a supervisor is stopped directly.
stop_daemon() {
  local name=$1 grace=${2:-10} pid
  [[ -d $RUN ]] && echo "$grace" > "$RUN/$name.grace"
  if supervisor_running "$name"; then
    pid=$(<"$(supervisor_pidfile "$name")")
    # The supervisor itself gives the daemon its grace period; 5 s more for its own exit.
    terminate "$pid" $((grace + 5)) || log "supervisor of $name (pid $pid) did not stop: killed it"
    log "stopped $name and its supervisor"
  fi
  rm -f "$(supervisor_pidfile "$name")"
  if is_running "$name"; then
    pid=$(<"$(pidfile "$name")")
    terminate "$pid" "$grace" || log "$name (pid $pid) ignored SIGTERM for ${grace}s: killed it"
    log "stopped $name (pid $pid)"
  fi
  rm -f "$(pidfile "$name")" "$RUN/$name.hold"
}

# Pids of containerd shims that belong to *our* containerd (their command line names our socket).
our_shim_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ -r $p/cmdline ]] || continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -- "containerd-shim.* -address $CTR_SOCK" >/dev/null; then echo "${p#/proc/}"; fi
  done
}

ctr_() { ctr --address "$CTR_SOCK" --namespace k8s.io "$@"; }
kubectl_() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" --request-timeout=20s "$@"; }

# --- containerd (shared by `up` and images/load, which may start it just to import images) ---

# A private containerd: own root, state, socket and CNI config dir, so a system containerd (if any) is
# never touched. cgroupfs driver (SystemdCgroup=false) to match the kubelet: PID 1 here is not systemd.
write_containerd_config() {
  mkdir -p "$STATE" "$RUN" "$CNI_CONF_DIR"
  write_if_changed "$STATE/containerd.toml" <<TOML || true
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                    "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
                    "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CTR_SOCK"
[ttrpc]
  address = "$CTR_SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  tolerate_missing_hugetlb_controller = true
  disable_apparmor = true
  # This host withholds CAP_SYS_RESOURCE, so no process may lower its oom_score_adj (the CRI asks -998
  # for sandboxes): cap container values at containerd's own score instead of failing runc create.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
        Root = "$RUN/runc"            # runc's state under ours, not /run/containerd/runc
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$CNI_CONF_DIR"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd-opt"
TOML
}

start_containerd() {
  command -v containerd >/dev/null || die "containerd is not installed (run e2e/cluster/prereqs)"
  write_containerd_config
  is_running containerd || rm -f "$CTR_SOCK" "$CTR_SOCK.ttrpc"
  start_daemon containerd --grace 15 --probe "ctr --address '$CTR_SOCK' version" --config "$STATE/containerd.toml"
  wait_daemon containerd 30 "containerd socket" ctr --address "$CTR_SOCK" version || { tail -20 "$LOGS/containerd.log" >&2; die "containerd did not start"; }
}

# image_present NAME: the image is in containerd's k8s.io namespace. (The list is read whole first:
# `ctr ... | grep -q` under pipefail fails at random when grep exits early and ctr gets SIGPIPE.)
image_present() { local all; all=$(ctr_ images ls -q 2>/dev/null) && grep -xF "$1" <<<"$all" >/dev/null; }

# import_image TAR NAME: import a docker-save or OCI archive into namespace k8s.io, unless the same file
# (path, size, mtime) was already imported and the image is still there. Keeps a warm `up` fast.
import_image() {
  local tar=$1 name=$2 stamp key
  stamp=$STATE/imported/$(echo "$name" | tr '/:' '__')
  key=$(stat -c '%n %s %Y' "$tar")
  if [[ -f $stamp && $(<"$stamp") == "$key" ]] && image_present "$name"; then
    log "image $name: already imported"
    return
  fi
  # Import unpacks into the default (overlayfs) snapshotter, so the first pod start does not pay for it.
  local out got
  out=$(ctr_ images import --all-platforms "$tar" 2>&1) || die "importing $tar failed: $out"
  # A Jib tar carries whatever <to><image> its pom says; give it the stable name pods use.
  got=$(sed -n 's/^unpacking \(.*\) (sha256:.*/\1/p' <<<"$out" | head -1)
  if [[ -n $got && $got != "$name" ]]; then
    ctr_ images tag --force "$got" "$name" >/dev/null || die "tagging $got as $name failed"
    log "image $name: tagged from $got"
  fi
  image_present "$name" || die "$tar did not provide image $name: $out"
  mkdir -p "$STATE/imported"; echo "$key" > "$stamp"
  log "image $name: imported from ${tar#"$CLUSTER_DIR"/}"
}

# Every image the cluster knows: archive path | fully-qualified name | who makes it.
# Docker-format archives are normalized to docker.io/..., which is what the CRI looks up for
# `image: procgroup/x:tag` or `docker.io/procgroup/x:tag` in a pod spec.
image_table() {
  local root; root=$(cd "$CLUSTER_DIR/../.." && pwd)
  cat <<TABLE
$IMAGES_DIR/pause-oci.tar|$PAUSE_IMAGE|images/build-pause
$IMAGES_DIR/jre-base-docker.tar|docker.io/procgroup/jre-base:17|images/build-jre-base
$IMAGES_DIR/node-base-docker.tar|docker.io/procgroup/node-base:20|images/build-node-base
$IMAGES_DIR/node-chromium-docker.tar|docker.io/procgroup/node-chromium:20|images/build-node-chromium
$IMAGES_DIR/redis-docker.tar|docker.io/procgroup/redis:7.0|images/build-redis
$root/operator/target/jib-image.tar|docker.io/procgroup/operator:0.1.0|mvn -pl operator,sidecar -am package jib:buildTar
$root/sidecar/target/jib-image.tar|docker.io/procgroup/sidecar:0.1.0|mvn -pl operator,sidecar -am package jib:buildTar
$root/examples/.images/example-page-snapshot-docker.tar|docker.io/procgroup/example-page-snapshot:0.1.0|examples/build-images
$root/examples/.images/example-shared-state-docker.tar|docker.io/procgroup/example-shared-state:0.1.0|examples/build-images
TABLE
}

# import_all_images: import every archive that exists; say loudly which ones do not.
import_all_images() {
  local tar name maker
  while IFS='|' read -r tar name maker; do
    if [[ -f $tar ]]; then import_image "$tar" "$name"
    else skipped "image $name" "${tar#"$(cd "$CLUSTER_DIR/../.." && pwd)"/} does not exist yet (made by: $maker)" || return 1; fi
  done < <(image_table)
}

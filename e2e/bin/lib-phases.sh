# Shared by the project's top-level commands: phases with timings and a summary.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
declare -a PHASES=()
log() { printf '[%s %(%H:%M:%S)T] %s\n' "${LOG_TAG:-procgroup}" -1 "$*" >&2; }

# phase NAME CMD...: runs one phase, records its duration and result; returns the command's status.
phase() {
  local name=$1 t0=$SECONDS rc; shift
  log "=== $name ==="
  "$@"; rc=$?
  PHASES+=("$(printf '%-22s %5ss  %s' "$name" $((SECONDS - t0)) "$([[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)")")")
  return $rc
}

phase_summary() {
  log "=== phase durations ==="
  printf '  %s\n' "${PHASES[@]}" >&2
}

export PATH="$ROOT/e2e/bin:$PATH"
# shellcheck source=../cluster/versions.env
source "$ROOT/e2e/cluster/versions.env"
export KUBECONFIG=${KUBECONFIG:-/var/lib/procgroup-cluster/admin.kubeconfig}
HELM=$PROCGROUP_CACHE/helm/$HELM_VERSION/bin/helm
KUBECTL=$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin/kubectl

# Every image (base images, operator and sidecar with Jib, the examples), imported into the cluster's containerd.
build_all_images() {
  "$ROOT/e2e/cluster/images/build-all"
}

install_chart() {
  "$HELM" upgrade --install procgroup "$ROOT/helm/procgroup" --namespace procgroup-system --create-namespace \
    --wait --timeout 180s "$@"
}

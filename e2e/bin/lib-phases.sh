# Shared by the project's top-level commands (test, demo): the cluster's paths, log and phase helpers come
# from e2e/cluster/lib.sh; the caller's PATH is kept, with the cluster's kubectl and helm in front.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
caller_path=$PATH
# shellcheck source=../cluster/lib.sh
source "$ROOT/e2e/cluster/lib.sh"
export PATH="$ROOT/e2e/bin:$PATH:$caller_path"   # lib.sh put the cluster binaries first
export KUBECONFIG=${KUBECONFIG:-$KUBECONFIG_ADMIN}
HELM=$HELM_BIN/helm
KUBECTL=$K8S_BIN/kubectl

# Every image (base images, operator and sidecar with Jib, the examples), imported into the cluster's containerd.
build_all_images() {
  "$ROOT/e2e/cluster/images/build-all"
}

install_chart() {
  "$HELM" upgrade --install procgroup "$ROOT/helm/procgroup" --namespace procgroup-system --create-namespace \
    --wait --timeout 180s "$@"
}

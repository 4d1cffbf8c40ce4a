#!/usr/bin/env bash
# The hub inside the local cluster against direct pod-to-pod HTTP between the same pods, and the sidecars' memory as
# the kubelet reports it (bench/hub/README.md, "In the cluster"). Needs the local cluster up with the operator
# installed (`make demo` leaves it so). About 3 minutes. Options: see bench/hub/in-cluster.py --help.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/e2e/cluster/versions.env"
export K8S_VERSION KUBECONFIG=${KUBECONFIG:-/var/lib/procgroup-cluster/admin.kubeconfig}
export KUBECTL=$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin/kubectl
[[ -x $KUBECTL ]] || { echo "in-cluster.sh: $KUBECTL missing: e2e/cluster/prereqs all" >&2; exit 1; }
exec python3 "$root/bench/hub/in-cluster.py" "$@"

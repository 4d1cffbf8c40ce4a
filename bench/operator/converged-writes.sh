#!/usr/bin/env bash
# API writes of a converged group over a long window (default 5 minutes), on a real kube-apiserver: DriftRepairIT
# with its quiet windows stretched. The figure comes from the operator's own procgroup_operator_api_requests_total
# for the group's namespace. Writes bench/results/converged-writes-<date>.md.
#   bench/operator/converged-writes.sh [window, ISO-8601 such as PT5M]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
window=${1:-PT5M}
"$root/e2e/cluster/build-binaries.sh" apiserver
cd "$root"
mvn -B -q -pl operator -am install -DskipTests
log=$(mktemp)
mvn -B -pl operator verify -Dtest=DeploymentDriftTest \
  -Dit.test=DriftRepairIT#deletedAndEditedChildrenAreRepairedAndAConvergedGroupWritesNothing \
  -Dconverged.window="$window" | tee "$log" | grep -E '\[measure\]|Tests run:|BUILD'
out="$root/bench/results/converged-writes-$(date -u +%Y-%m-%d).md"
{
  echo "# API writes of a converged group ($(date -u +%FT%TZ))"
  echo
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1)"
  echo "- kube-apiserver $(grep K8S_VERSION "$root/e2e/cluster/versions.env" | cut -d= -f2); window $window"
  echo "- group: 3 processes (orders 0, 1, 1), hub RBAC (ServiceAccount, Role, RoleBinding), an HPA, a Service, a NetworkPolicy"
  echo "- command: bench/operator/converged-writes.sh $window"
  echo
  grep -o '\[measure\].*' "$log" | sed 's/^\[measure\] /- /'
} > "$out"
grep -q 'BUILD SUCCESS' "$log" && echo "wrote $out" || { echo "FAILED (see $log)"; exit 1; }

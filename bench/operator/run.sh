#!/usr/bin/env bash
# Operator convergence benchmark: N groups (default 1000) x 3 processes on a real kube-apiserver.
# Writes bench/results/operator-<date>.md. Needs the API binaries (e2e/cluster/build-binaries.sh apiserver).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
groups=${1:-1000}
"$root/e2e/cluster/build-binaries.sh" apiserver
cd "$root"
mvn -B -q -pl operator -am install -DskipTests
cd "$root/operator"
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/cp-test.txt -Dmdep.includeScope=test
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/cp-runtime.txt -Dmdep.includeScope=runtime
java -Xmx1g -Doperator.classpath="$PWD/target/classes:$(cat target/cp-runtime.txt)" \
  -cp "target/classes:target/test-classes:$(cat target/cp-test.txt)" \
  dev.procgroup.operator.api.OperatorScaleBench "$groups" "$root/bench/results"

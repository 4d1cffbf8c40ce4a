#!/usr/bin/env bash
# Operator scale benchmark (issue 12, part 1): N groups x 3 processes (orders 0, 1, 2) converging, against the
# same Deployments applied directly, on a fresh kube-apiserver + etcd + kube-controller-manager per phase.
#   bench/operator/run.sh [sizes=100,300,1000] [reps=3]
# Environment:
#   BENCH_REFS="main"    also run the operator as built from these git refs (before/after in one run)
#   BENCH_JFR=1          record a JFR profile of every operator phase (bench/results/<stamp>.jfr/)
#   BENCH_TIMEOUT=300    seconds a phase may take before it counts as not converged
# Writes bench/results/operator-scale-<stamp>.{jsonl,md,json,png}.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sizes=${1:-100,300,1000}
reps=${2:-3}
source "$root/e2e/cluster/versions.env"
kcm=$PROCGROUP_CACHE/k8s/$K8S_VERSION/bin/kube-controller-manager
"$root/e2e/cluster/build-binaries.sh" apiserver
[[ -x $kcm ]] || "$root/e2e/cluster/build-binaries.sh" all
stamp=$(date -u +%Y%m%dT%H%M)
out=$root/bench/results/operator-scale-$stamp
offline=$([[ -d ~/.m2/repository/org/apache/maven/plugins/maven-dependency-plugin ]] && echo -o || true)

# Builds the operator of one source tree and writes how to start it as its image does, into
# operator/target/bench-launch.txt: classpath; the JVM flags of its operator/pom.xml (Jib) with the chart's memory
# limit (helm/procgroup/values.yaml resources.limits.memory, 512Mi) as MaxRAM, so the JVM sizes its heap as it
# would in that container; the image's environment. Prints the tree.
build() {
  (cd "$1" && nice -n 10 mvn -B -q $offline -pl operator -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/cp-runtime.txt -Dmdep.includeScope=runtime >&2)
  local pom=$1/operator/pom.xml
  {
    echo "$1/operator/target/classes:$(cat "$1/operator/target/cp-runtime.txt")"
    echo "$(sed -n 's:.*<jvmFlag>\(.*\)</jvmFlag>.*:\1:p' "$pom" | tr '\n' ' ')-XX:MaxRAM=512m"
    sed -n '/<environment>/,/<\/environment>/s:.*<\([A-Z_]*\)>\(.*\)</[A-Z_]*>.*:\1=\2:p' "$pom" | tr '\n' ' '
    echo
  } > "$1/operator/target/bench-launch.txt"
  echo "$1"
}

operators=("branch=$(build "$root")")
for ref in ${BENCH_REFS:-}; do
  src=$root/operator/target/bench-ref-$(git -C "$root" rev-parse --short "$ref")
  if [[ ! -d $src ]]; then mkdir -p "$src"; git -C "$root" archive "$ref" | tar -x -C "$src"; fi
  operators+=("$ref=$(build "$src")")
done
(cd "$root" && nice -n 10 mvn -B -q $offline -pl operator -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/cp-test.txt -Dmdep.includeScope=test)

jfr=""
if [[ ${BENCH_JFR:-0} == 1 ]]; then jfr=$out.jfr; mkdir -p "$jfr"; fi

{
  echo "machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kubernetes: $K8S_VERSION, etcd: $ETCD_VERSION, java: $(java -version 2>&1 | head -1)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet || echo ' (uncommitted changes)')"
  echo "operators: ${operators[*]%%=*}"
  for o in "${operators[@]}"; do
    echo "${o%%=*}: JVM flags $(sed -n 2p "${o#*=}/operator/target/bench-launch.txt"); environment $(sed -n 3p "${o#*=}/operator/target/bench-launch.txt")"
  done
  echo "started: $(date -u +%FT%TZ)"
} > "$out.meta"
cat "$out.meta"

cd "$root/operator"
nice -n 5 java -Xmx1g -cp "target/classes:target/test-classes:$(cat target/cp-test.txt)" \
  -Dbench.controllerManager="$kcm" -Dbench.jfrDir="$jfr" \
  -Dbench.timeoutSeconds="${BENCH_TIMEOUT:-300}" -Dbench.rssLimitMiB=512 \
  dev.procgroup.operator.bench.OperatorScaleBench "$out.jsonl" "$reps" "$sizes" "${operators[@]}" \
  2> >(grep -v -E '^(SLF4J|\s*at )' >&2)
# The plot needs matplotlib: the system's, or one installed from PyPI into a venv here (not committed).
py=python3
if ! python3 -c 'import matplotlib' 2>/dev/null; then
  venv=$root/bench/operator/target/venv
  [[ -x $venv/bin/python ]] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q matplotlib; }
  py=$venv/bin/python
fi
"$py" "$root/bench/operator/report.py" "$out"

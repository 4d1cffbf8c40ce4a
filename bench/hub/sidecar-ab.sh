#!/usr/bin/env bash
# The sidecar's own CPU and memory, A/B: the 2-hop path for several sidecar builds or JVM configurations in one run
# (about 1 min per variant and round). Results: bench/results/sidecar-<date>.md and .json.
# BENCH_VARIANTS='name|sidecar dir|extra JVM options;...' (default: this checkout's sidecar/, as built). A dir is a
# sidecar/ or a copy of its run.sh and target/ (procgroup-sidecar.jar, lib/, jvm-flags.txt), e.g. main's build:
#   git worktree add /tmp/main-sc main && (cd /tmp/main-sc && mvn -o -q -DskipTests -pl sidecar -am package)
#   BENCH_VARIANTS="main|/tmp/main-sc/sidecar|;new|sidecar|" bench/hub/sidecar-ab.sh
# Other knobs: BENCH_ROUNDS (3), BENCH_RATE (1000), BENCH_WARMUP_S (20), BENCH_MEASURE_S (8), BENCH_SAT_MEASURE_S (4),
# BENCH_IDLE_S (10); BENCH_ASPROF=<libasyncProfiler.so> profiles round 1's fixed-rate runs (BENCH_ASPROF_EVENT, cpu).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ ! -f "$root/sidecar/target/procgroup-sidecar.jar" || -n "${BENCH_REBUILD:-}" ]]; then
  (cd "$root" && mvn -q -B -DskipTests -pl sidecar -am package)
fi
mkdir -p "$here/target/classes"
javac -d "$here/target/classes" -cp "$root/sidecar/target/lib/*" "$here"/src/*.java
exec python3 "$here/sidecar_ab.py" "$@"

#!/usr/bin/env bash
# The hub benchmark in one command (< 5 min): direct HTTP, app -> local sidecar hop, local publisher, two
# sidecars, and Pandora's own hub (npm pandora-hub, installed into bench/hub/node_modules, not committed).
# Results: bench/results/hub-<date>.md and .json. Knobs: BENCH_RATE, BENCH_WARMUP_S, BENCH_MEASURE_S,
# BENCH_SAT_MEASURE_S.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ ! -f "$root/sidecar/target/procgroup-sidecar.jar" || -n "${BENCH_REBUILD:-}" ]]; then
  (cd "$root" && mvn -q -B -DskipTests -pl sidecar -am package)   # -am: with the tests' shared support (testing/)
fi
if [[ ! -d "$here/node_modules/pandora-hub" ]]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi
mkdir -p "$here/target/classes"
javac -d "$here/target/classes" -cp "$root/sidecar/target/lib/*" "$here"/src/*.java
exec python3 "$here/bench.py"

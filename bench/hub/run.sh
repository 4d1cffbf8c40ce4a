#!/usr/bin/env bash
# The hub benchmark in one command (about 10 min): direct HTTP, app -> local sidecar hop, same-pod publisher,
# two sidecars, and the peers in the same run: Pandora's own hub (npm pandora-hub, installed into
# bench/hub/node_modules) and two Dapr daprd (built from the Go module proxy into the binary cache on first use,
# 10-30 min once). Results: bench/results/hub-<date>.md, .json and .png (matplotlib from PyPI in bench/hub/target/venv).
# Knobs (README.md): BENCH_ROUNDS, BENCH_RATE, BENCH_SWEEP_RATES, BENCH_WARMUP_S, BENCH_STEP_WARMUP_S,
# BENCH_MEASURE_S, BENCH_SWEEP_MEASURE_S, BENCH_SAT_MEASURE_S.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
MATPLOTLIB_VERSION=3.11.2

if [[ ! -f "$root/sidecar/target/procgroup-sidecar.jar" || -n "${BENCH_REBUILD:-}" ]]; then
  (cd "$root" && mvn -q -B -DskipTests -pl sidecar -am package)   # -am: with the tests' shared support (testing/)
fi
if [[ ! -d "$here/node_modules/pandora-hub" ]]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi

# shellcheck source=../../e2e/cluster/versions.env
source "$root/e2e/cluster/versions.env"
dapr_bin="$PROCGROUP_CACHE/dapr/$DAPR_VERSION/bin"
# A cache entry counts once its .done stamp exists (build-binaries.sh); checked here first because the script
# waits for the cache's build lock, which a running `prereqs all` holds for long.
if [[ ! -e "$dapr_bin/.done" ]]; then
  "$root/e2e/cluster/build-binaries.sh" dapr
fi
export BENCH_DAPRD="$dapr_bin/daprd"

venv="$here/target/venv"
if ! "$venv/bin/python" -c "import matplotlib, sys; sys.exit(matplotlib.__version__ != '$MATPLOTLIB_VERSION')" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "matplotlib==$MATPLOTLIB_VERSION"
fi

mkdir -p "$here/target/classes"
javac -d "$here/target/classes" -cp "$root/sidecar/target/lib/*" "$here"/src/*.java
exec "$venv/bin/python" "$here/bench.py"

#!/usr/bin/env bash
# Starts one sidecar from the build output (mvn -pl sidecar -am package, or cd sidecar && mvn package).
# Configuration is by environment: see README.md. Example, two sidecars on one machine without an apiserver:
#   PROCGROUP_GROUP=demo PROCGROUP_PROCESS=web PROCGROUP_POD_NAME=a PROCGROUP_HUB_TOKEN=s3cret \
#   PROCGROUP_HUB_PORT=7070 PROCGROUP_PEER_PORT=7071 PROCGROUP_METRICS_PORT=9464 \
#   PROCGROUP_STATIC_PEERS=b=127.0.0.1:7171 sidecar/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/procgroup-sidecar.jar"
if [[ ! -f "$jar" ]]; then
  echo "run.sh: $jar not found; build it first: mvn -f $here/pom.xml -DskipTests package" >&2
  exit 1
fi
flags="$(cat "$here/target/jvm-flags.txt")"
# Few threads: more glibc malloc arenas would only add RSS (the image sets the same).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# shellcheck disable=SC2086
exec java $flags ${PROCGROUP_JAVA_OPTS:-} -jar "$jar" "$@"

#!/usr/bin/env bash
# Copy the generated, committed CRDs (<repo>/crds/*.yml, *.yaml; top level only) into the chart's crds/
# folder, byte for byte, and remove chart CRDs that no longer exist upstream.
# Usage: helm/sync-crds.sh        (CRD_SRC=<dir> to read another folder)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRD_SRC:-$here/../crds}
dst=$here/procgroup/crds
shopt -s nullglob

files=("$src"/*.yml "$src"/*.yaml)
if (( ${#files[@]} == 0 )); then
  echo "sync-crds: no CRD files (*.yml, *.yaml) in $src; generate them first (see crds/)" >&2
  exit 1
fi
mkdir -p "$dst"
for f in "$dst"/*.yml "$dst"/*.yaml; do
  [[ -e $src/$(basename "$f") ]] || { rm -f -- "$f"; echo "sync-crds: removed stale $(basename "$f")"; }
done
for f in "${files[@]}"; do
  cp -- "$f" "$dst/$(basename "$f")"
  echo "sync-crds: copied $(basename "$f")"
done

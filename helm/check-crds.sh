#!/usr/bin/env bash
# Fail (exit 1) when the chart's CRDs (helm/procgroup/crds/) are not byte-identical copies of the
# committed, generated CRDs (<repo>/crds/*.yml, *.yaml; top level only). Fix with helm/sync-crds.sh.
# Usage: helm/check-crds.sh       (CRD_SRC=<dir> to compare against another folder)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRD_SRC:-$here/../crds}
dst=$here/procgroup/crds
shopt -s nullglob

list() { local d; for d in "$1"/*.yml "$1"/*.yaml; do basename "$d"; done | sort; }
src_files=$(list "$src")
dst_files=$( [[ -d $dst ]] && list "$dst" || true)

if [[ -z $src_files ]]; then
  echo "check-crds: FAIL: no generated CRDs (*.yml, *.yaml) in $src; nothing to compare the chart's CRDs with" >&2
  exit 1
fi
problems=0
while read -r f; do
  if [[ ! -e $dst/$f ]]; then
    echo "check-crds: FAIL: $f is in crds/ but missing from helm/procgroup/crds/" >&2; problems=$((problems+1))
  elif ! cmp -s -- "$src/$f" "$dst/$f"; then
    echo "check-crds: FAIL: helm/procgroup/crds/$f differs from crds/$f" >&2
    diff -u -- "$src/$f" "$dst/$f" | head -20 >&2 || true
    problems=$((problems+1))
  fi
done <<<"$src_files"
while read -r f; do
  [[ -z $f ]] && continue
  if [[ ! -e $src/$f ]]; then
    echo "check-crds: FAIL: helm/procgroup/crds/$f has no counterpart in crds/ (stale copy?)" >&2; problems=$((problems+1))
  fi
done <<<"$dst_files"
if (( problems > 0 )); then
  echo "check-crds: $problems problem(s); run helm/sync-crds.sh and commit helm/procgroup/crds/" >&2
  exit 1
fi
echo "check-crds: OK: $(wc -l <<<"$src_files") CRD file(s) in helm/procgroup/crds/ are identical to crds/"

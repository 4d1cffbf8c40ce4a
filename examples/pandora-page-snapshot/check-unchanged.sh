#!/usr/bin/env bash
# Proves "unchanged": the procfile and the three services are byte for byte the upstream ones (upstream/, copied
# verbatim from midwayjs/pandora-example pageSnapshot/ at 05c2ef3). Only package.json differs; README.md says how.
set -euo pipefail
cd "$(dirname "$0")"
for f in procfile.js services/PageSnapshot.js services/SimpleHTTP.js services/Web.js; do
  cmp "upstream/$f" "$f"
  echo "$f: identical to upstream/$f"
done
# Nothing else of the app may differ silently: every .js outside node_modules, test/ and the puppeteer alias is above.
extra=$(find . -name '*.js' -not -path './node_modules/*' -not -path './upstream/*' -not -path './test/*' \
  -not -path './puppeteer-chromium/*' | sort | grep -vxF -e ./procfile.js -e ./services/PageSnapshot.js \
  -e ./services/SimpleHTTP.js -e ./services/Web.js || true)
[[ -z $extra ]] || { echo "not from upstream: $extra" >&2; exit 1; }

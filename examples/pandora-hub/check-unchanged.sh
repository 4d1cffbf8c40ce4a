#!/usr/bin/env bash
# Proves "unchanged except what README.md's table lists": each port equals its upstream snippet (upstream/, copied
# verbatim from Pandora's documentation page "Inter-Process Communication Hub") after the substitutions named here.
set -euo pipefail
cd "$(dirname "$0")"
# Pandora's package name; the published package was also called `pandora` (the doc's comments say either).
require="s#require('dorapan')#require('@procgroup/hub')#"

# math.js: the require, and the doc's one bug: it publishes `math`, an undefined name (a ReferenceError in Pandora too).
diff -u <(sed -e "$require" -e "s#publishObject('math', math)#publishObject('math', Math)#" upstream/ipc-hub-math.js) math.js
echo "math.js: unchanged except the require (and math -> Math)"

# The procfile's services, one process each. Kept: the upstream lines given, with the require substituted and the
# doc's syntax error fixed (`class ServiceA() {` does not parse; Pandora's examples/service-and-ipc has `class
# ServiceA {`). Compared ignoring indentation and blank lines: the classes move out of the procfile's function.
# Every other line of a port ends in a `// procgroup: <why>` comment; README.md's table lists them.
normalise() { sed -e 's/^[[:space:]]*//' | grep -v '^$' || true; }
kept() { grep -v '// procgroup: ' "$1" | normalise; }
upstream_lines() {
  sed -n "$1" upstream/ipc-hub-procfile.js | sed -e "$require" -e 's/^\( *class [A-Za-z]*\)() {$/\1 {/' | normalise
}
check_port() {  # PORT SED-LINES ADDED
  diff -u <(upstream_lines "$2") <(kept "$1")
  local added; added=$(grep -c '// procgroup: ' "$1")
  [[ $added == "$3" ]] || { echo "$1: $added lines marked '// procgroup:', README.md lists $3" >&2; exit 1; }
  echo "$1: upstream lines ${2//p/} unchanged but the require and the class syntax; $3 lines added, each marked"
}
check_port process-a.js '14,18p;37p;41p' 2
check_port process-b.js '19,35p;44p' 2

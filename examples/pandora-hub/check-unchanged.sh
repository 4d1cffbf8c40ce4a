#!/usr/bin/env bash
# Proves "unchanged except the require": each port equals its upstream snippet (upstream/, copied from Pandora's
# documentation page "Inter-Process Communication Hub") after the substitutions listed here, and nothing else.
set -euo pipefail
cd "$(dirname "$0")"
# The require, and the doc's one bug: it publishes `math`, an undefined name (a ReferenceError in Pandora too).
diff -u <(sed -e "s#require('dorapan')#require('@procgroup/hub')#" -e "s#publishObject('math', math)#publishObject('math', Math)#" upstream/ipc-hub-math.js) math.js
echo "math.js: unchanged except the require (and math -> Math)"

'use strict';

// Copies the protocol's rules (clients/conformance/rules.json, the one place they are written) into the package,
// which is published without the rest of the repository. test/rules.test.js fails while the copy is stale.
const fs = require('node:fs');
const path = require('node:path');

const source = path.resolve(__dirname, '../../conformance/rules.json');
fs.copyFileSync(source, path.resolve(__dirname, '../lib/rules.json'));

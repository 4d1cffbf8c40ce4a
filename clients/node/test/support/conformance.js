'use strict';

// The shared conformance cases (clients/conformance/cases/*.json), also read by the sidecar's and the Java client's tests.
const fs = require('node:fs');
const path = require('node:path');

const DIR = path.resolve(__dirname, '../../../conformance');

function cases(name) {
  return JSON.parse(fs.readFileSync(path.join(DIR, 'cases', `${name}.json`), 'utf8'));
}

module.exports = {DIR, cases};

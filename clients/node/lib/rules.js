'use strict';

// The protocol's name rules and limits (lib/rules.json, copied from clients/conformance/rules.json).
const rules = require('./rules.json');

const NAMES = Object.fromEntries(Object.entries(rules.names)
  .filter(([key]) => !key.startsWith('$')).map(([key, pattern]) => [key, new RegExp(pattern)]));

module.exports = {NAMES, LIMITS: rules.limits, HEADERS: rules.headers, PANDORA: rules.pandora};

'use strict';

// The client's side of the conformance suite: its rules are the shared ones, and it refuses what they refuse
// before anything reaches a sidecar.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {NAMES} = require('../lib/rules');
const {Hub} = require('..');
const {DIR, cases} = require('./support/conformance');

test('lib/rules.json is the copy of clients/conformance/rules.json (npm run rules)', () => {
  assert.equal(fs.readFileSync(path.resolve(__dirname, '../lib/rules.json'), 'utf8'),
    fs.readFileSync(path.join(DIR, 'rules.json'), 'utf8'), 'stale copy: run `npm run rules` in clients/node');
});

test('every name rule accepts and refuses the shared cases', () => {
  const names = cases('names');
  for (const [kind, {valid, invalid}] of Object.entries(names).filter(([k]) => !k.startsWith('$'))) {
    for (const s of valid) assert.ok(NAMES[kind].test(s), `${kind} ${JSON.stringify(s)} should be valid`);
    for (const s of invalid) assert.ok(!NAMES[kind].test(s), `${kind} ${JSON.stringify(s)} should be invalid`);
  }
});

test('publish and subscribe refuse the invalid object and event names without contacting a sidecar', async () => {
  const hub = new Hub({url: 'http://127.0.0.1:1'}); // nothing listens there: a request would fail differently
  const names = cases('names');
  try {
    for (const name of names.object.invalid) {
      await assert.rejects(hub.publishObject(name, {m() {}}), TypeError, JSON.stringify(name));
    }
    for (const event of names.event.invalid) {
      await assert.rejects(hub.subscribe(event, () => {}), TypeError, JSON.stringify(event));
      await assert.rejects(hub.broadcast(event, 1), TypeError, JSON.stringify(event));
    }
  } finally {
    await hub.close();
  }
});

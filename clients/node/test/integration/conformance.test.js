'use strict';

// The shared HTTP and WebSocket cases (clients/conformance/cases/http.json, frames.json) against a REAL sidecar, the
// same files the sidecar's own tests and the Java client's tests run.

const test = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const {Hub} = require('../..');
const {pair} = require('./sidecars');
const {cases} = require('../support/conformance');

let a;
let b;
let publisher;
const OBJECT = 'conformanceEcho';

test.before(async () => {
  [a, b] = await pair();
  publisher = new Hub({url: a.url});
  await publisher.publishObject(OBJECT, {echo(...args) { return args; }});
});
test.after(async () => {
  await publisher?.close();
  await Promise.all([a?.kill(), b?.kill()]);
});

test('every HTTP case of http.json gets its status and error', async () => {
  for (const c of cases('http').cases) {
    const body = c.bodyBytes ? JSON.stringify(['x'.repeat(c.bodyBytes)]) : c.body;
    const res = await fetch(a.url + c.path.replace('{object}', OBJECT), {method: c.method, headers: c.headers || {}, body});
    const text = await res.text();
    assert.equal(res.status, c.status, `${c.name}: ${text.slice(0, 200)}`);
    if (c.error) {
      const {error} = JSON.parse(text);
      assert.equal(error.name, c.error, c.name);
      assert.ok(error.message, `${c.name}: a reason`);
      assert.equal(error.source, 'hub', c.name);
    }
  }
});

test('every frame of frames.json gets its answer, in order, and the connection stays open', async () => {
  const ws = new WebSocket(b.url.replace('http', 'ws') + '/v1/connect');
  const answers = [];
  let wake = () => {};
  ws.on('message', (d) => { answers.push(JSON.parse(d.toString())); wake(); });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  try {
    for (const step of cases('frames').steps) {
      const before = answers.length;
      ws.send(step.send);
      const deadline = Date.now() + 10000;
      while (answers.length === before) {
        assert.ok(Date.now() < deadline, `no answer to ${step.send}`);
        await new Promise((r) => { wake = r; setTimeout(r, 100); });
      }
      const got = answers[before];
      assert.equal(got.op, step.expect, `${step.send} -> ${JSON.stringify(got)}`);
      if (step.reason) assert.ok(got.reason.includes(step.reason), `${step.send}: reason '${got.reason}'`);
    }
    assert.equal(ws.readyState, WebSocket.OPEN);
  } finally {
    ws.close();
  }
});

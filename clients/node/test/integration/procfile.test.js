'use strict';

// bin/procgroup-procfile.js on two REAL sidecars (pod-a: process background, pod-b: process web), one procfile
// (test/fixtures/procfile): each process starts only its own services, in dependency order; store is published
// without its lifecycle methods; front's ctx.getProxy reaches it across the pods; SIGTERM stops in reverse order
// and unpublishes.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {spawn} = require('node:child_process');
const {pair} = require('./sidecars');
const {until} = require('../support/until');

/** Polls `check` until it returns true. */
const waitFor = (check, ms) => until(async () => assert.ok(await check()), ms);

const BIN = path.resolve(__dirname, '../../bin/procgroup-procfile.js');
const PROCFILE = path.resolve(__dirname, '../fixtures/procfile/procfile.js');

function runProcess(sidecar, processName) {
  const c = spawn(process.execPath, [BIN, PROCFILE], {
    env: {...process.env, PROCGROUP_HUB_URL: sidecar.url, PROCGROUP_PROCESS: processName},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  c.out = '';
  c.stdout.on('data', (d) => { c.out += d; });
  c.stderr.on('data', (d) => { c.out += d; });
  c.exited = new Promise((resolve) => c.once('exit', (code) => resolve(code)));
  return c;
}

const lines = (out) => out.split('\n').filter(Boolean);

test('a procfile runs across two processes through their sidecars', async () => {
  const [a, b] = await pair({PROCGROUP_DECLARED_SERVICES: 'store=background'});
  const children = [];
  try {
    const background = runProcess(a, 'background');
    children.push(background);
    await waitFor(() => background.out.includes('procgroup-procfile: process background started') || background.exitCode !== null, 20000);
    assert.deepEqual(lines(background.out), [
      '[serviceName: store, processName: background] start store (store in background)',
      '[serviceName: audit, processName: background] start audit',
      'procgroup-procfile: process background started store, audit',
    ]);
    // The published interface: greet, callable from the other pod; start/stop are not the service's to call.
    await waitFor(async () => (await fetch(`${b.url}/v1/objects/store`)).ok, 15000);
    const greet = await fetch(`${b.url}/v1/invoke/store/greet`, {method: 'POST', body: '["b"]'});
    assert.deepEqual(await greet.json(), {result: 'hello, b'});
    const start = await fetch(`${b.url}/v1/invoke/store/start`, {method: 'POST', body: '[]'});
    assert.equal(start.ok, false, 'start is not published');

    const web = runProcess(b, 'web');
    children.push(web);
    await waitFor(() => web.out.includes('procgroup-procfile: process web started') || web.exitCode !== null, 20000);
    assert.deepEqual(lines(web.out), [
      '[serviceName: front, processName: web] front got: hello, front',
      'procgroup-procfile: process web started front',
    ]);

    background.kill('SIGTERM');
    assert.equal(await background.exited, 0, background.out);
    assert.deepEqual(lines(background.out).slice(3), [
      '[serviceName: audit, processName: background] stop audit',
      '[serviceName: store, processName: background] stop store',
      'procgroup-procfile: stopped on SIGTERM',
    ]);
    await waitFor(async () => (await fetch(`${b.url}/v1/objects/store`)).status === 404, 15000);
    web.kill('SIGTERM');
    assert.equal(await web.exited, 0, web.out);
    assert.match(web.out, /stop front\nprocgroup-procfile: stopped on SIGTERM\n$/);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all([a.kill(), b.kill()]);
  }
});

test('a service whose start() fails ends the process with 1, the ones started before it stopped', async () => {
  const [a] = await pair();
  try {
    const c = spawn(process.execPath, [BIN, path.resolve(__dirname, '../fixtures/procfile/failing.js')], {
      env: {...process.env, PROCGROUP_HUB_URL: a.url, PROCGROUP_PROCESS: 'worker'}, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    assert.equal(await new Promise((resolve) => c.once('exit', resolve)), 1);
    assert.match(out, /stop first\n[^]*start failed: Error: no port/);
  } finally {
    await a.kill();
  }
});

'use strict';

// The ports on real sidecars without Kubernetes (clients/node's static-peers Sidecar helper): each script is run
// as `node <script>`, as Pandora ran it, each "pod" with its own sidecar. Here the processes share one PID
// namespace, so the pid serviceB logs is a's own: the call reached the other process, through both sidecars.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {spawn} = require('node:child_process');
const {Sidecar} = require('../../../clients/node/test/integration/sidecars');

const APP = path.resolve(__dirname, '..');

function run(sidecar, script) {
  const c = spawn(process.execPath, [script], {cwd: APP, env: {...process.env, PROCGROUP_HUB_URL: sidecar.url},
    stdio: ['ignore', 'pipe', 'pipe']});
  c.out = '';
  c.stdout.on('data', (d) => { c.out += d; });
  c.stderr.on('data', (d) => { c.out += d; });
  c.exited = new Promise((resolve) => c.once('exit', (code) => resolve(code)));
  return c;
}

async function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms); });
  try { return await Promise.race([promise, timeout]); } finally { clearTimeout(timer); }
}

async function metric(sidecar, name, ...labels) {
  const text = await (await fetch(`http://127.0.0.1:${sidecar.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('math.js logs 1234 and keeps serving math', async () => {
  const hub = await Sidecar.create('pod-math', 'math');
  await hub.start();
  let math;
  try {
    math = run(hub, 'math.js');
    await within(20000, 'math.js logs', (async () => {
      while (!math.out.includes('\n') && math.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    })());
    assert.equal(math.out, '1234\n');
    assert.equal(await metric(hub, 'procgroup_hub_calls_total', 'object="math"', 'method="abs"', 'route="local"', 'outcome="ok"'), 1);
    // Its hub connection (the published Math) keeps the process alive, serving: a ProcessGroup process as it is.
    const r = await fetch(`${hub.url}/v1/invoke/math/max`, {method: 'POST', body: '[3, 7]'});
    assert.deepEqual(await r.json(), {result: 7});
    assert.equal(math.exitCode, null);
  } finally {
    if (math) math.kill('SIGKILL');
    await hub.kill();
  }
});

test("serviceB in b's pod calls serviceA in a's pod and logs a's pid", async () => {
  const a = await Sidecar.create('pod-a', 'a');
  const b = await Sidecar.create('pod-b', 'b');
  a.peers = [b];
  b.peers = [a];
  for (const s of [a, b]) s.env = {PROCGROUP_DECLARED_SERVICES: 'serviceA=a'}; // procgroup.yaml's spec.services
  const started = await Promise.allSettled([a, b].map((s) => s.start().then(() => s.awaitPeers())));
  let provider;
  try {
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    provider = run(a, 'process-a.js');
    // The order procgroup.yaml gives: b starts once a is Ready, which a's sidecar is once serviceA is published.
    await within(20000, "a's sidecar Ready", (async () => {
      while ((await fetch(`http://127.0.0.1:${a.metricsPort}/readyz`)).status !== 200) await new Promise((r) => setTimeout(r, 100));
    })());
    while (!(await (await fetch(`${b.url}/v1/objects/serviceA`)).ok)) await new Promise((r) => setTimeout(r, 100));
    const consumer = run(b, 'process-b.js');
    assert.equal(await within(20000, 'process-b.js ends', consumer.exited), 0, consumer.out);
    assert.equal(consumer.out, `\n\npid from serviceA ${provider.pid}\npid from self ${consumer.pid}\n\n\n\n`);
    assert.notEqual(provider.pid, consumer.pid);
    assert.equal(await metric(b, 'procgroup_hub_calls_total', 'object="serviceA"', 'method="getPid"', 'route="remote"', 'outcome="ok"'), 1);
    assert.equal(await metric(a, 'procgroup_hub_served_calls_total', 'object="serviceA"', 'method="getPid"', 'caller="peer"', 'outcome="ok"'), 1);
    assert.equal(provider.exitCode, null, `a keeps serving: ${provider.out}`);
  } finally {
    if (provider) provider.kill('SIGKILL');
    await Promise.all([a.kill(), b.kill()]);
  }
});

'use strict';

// The unchanged example on real sidecars without Kubernetes (clients/node's static-peers Sidecar helper): one
// "pod" per Pandora process, each running `procgroup-procfile procfile.js`, as procgroup.yaml does. web (process
// worker) answers /?url= with the JPEG that pageSnapshot.take() (process background, Chromium) made: across the hub.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const {spawn} = require('node:child_process');
const {Sidecar} = require('../../../clients/node/test/integration/sidecars');

const APP = path.resolve(__dirname, '..');
const RUNNER = require.resolve('@procgroup/hub/bin/procgroup-procfile.js', {paths: [APP]});

function runProcess(sidecar) {
  const c = spawn(process.execPath, [RUNNER, 'procfile.js'], {cwd: APP,
    env: {...process.env, PROCGROUP_HUB_URL: sidecar.url, PROCGROUP_PROCESS: sidecar.process}, stdio: ['ignore', 'pipe', 'pipe']});
  c.out = '';
  c.stdout.on('data', (d) => { c.out += d; });
  c.stderr.on('data', (d) => { c.out += d; });
  c.exited = new Promise((resolve) => c.once('exit', (code) => resolve(code)));
  return c;
}

async function started(c, ms = 60000) {
  const end = Date.now() + ms;
  while (!c.out.includes('procgroup-procfile: process') && c.exitCode === null) {
    if (Date.now() > end) throw new Error(`not started in ${ms} ms:\n${c.out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(c.exitCode, null, c.out);
}

test("web's /?url= returns background's Chromium screenshot through both sidecars", async () => {
  const background = await Sidecar.create('pod-background', 'background');
  const worker = await Sidecar.create('pod-worker', 'worker');
  background.peers = [worker];
  worker.peers = [background];
  for (const s of [background, worker]) s.env = {PROCGROUP_DECLARED_SERVICES: 'pageSnapshot=background'};
  const up = await Promise.allSettled([background, worker].map((s) => s.start().then(() => s.awaitPeers())));
  const apps = [];
  try {
    for (const r of up) if (r.status === 'rejected') throw r.reason;
    const bg = runProcess(background);
    apps.push(bg);
    await started(bg);
    assert.match(bg.out, /^\[serviceName: pageSnapshot, processName: background\] Service PageSnapshot Started\n/);
    const web = runProcess(worker);
    apps.push(web);
    await started(web);
    assert.match(web.out, /^\[serviceName: web, processName: worker\] Service Web Listens On http:\/\/127\.0\.0\.1:5511\n/);

    // The page to snapshot: web's own (its 500 "Query [url] is required"): a page Chromium can reach offline.
    const res = await fetch(`http://127.0.0.1:5511/?url=${encodeURIComponent('http://127.0.0.1:5511/')}`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, body.toString());
    assert.equal(res.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual([...body.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG');
    assert.ok(body.length > 1000, `${body.length} bytes`);
    const metrics = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    assert.match(metrics, /procgroup_hub_calls_total\{[^}]*object="pageSnapshot"[^}]*method="take"[^}]*route="remote"[^}]*outcome="ok"[^}]*\} 1/);

    bg.kill('SIGTERM');
    assert.equal(await bg.exited, 0, bg.out);
    assert.match(bg.out, /Service PageSnapshot Stopped\nprocgroup-procfile: stopped on SIGTERM\n$/);
  } finally {
    for (const c of apps) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all([background.kill(), worker.kill()]);
  }
});

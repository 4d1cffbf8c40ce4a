'use strict';

// Local smoke test of the page-snapshot example, no Kubernetes: two real hub sidecars (pod "pod-bg" with
// agent + background, pod "pod-web" with web), the three processes, and the host's Chromium
// (apt-get install -y chromium). Every snapshot call crosses both sidecars (web -> sidecar web -> peer API
// -> sidecar bg -> background's WebSocket).
//
//   mvn -pl sidecar -am package -DskipTests && cd examples/page-snapshot && npm install && npm test

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const {freePort, sidecars, app, stop, until, jpegSize} = require('./support');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const readyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'page-snapshot-smoke-'));
const children = [];
let web;
let hang; // an HTTP server that never answers: the target of the timeout test
let webPort;

async function get(pathAndQuery) {
  const res = await fetch(`http://127.0.0.1:${webPort}${pathAndQuery}`, {signal: AbortSignal.timeout(60000)});
  const body = Buffer.from(await res.arrayBuffer());
  return {status: res.status, type: res.headers.get('content-type'), body, json: () => JSON.parse(body.toString())};
}

function logs() {
  return children.map((c) => `----- ${c.name} (exit ${c.exitCode})\n${c.log.slice(-4000)}`).join('\n');
}

test.before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const t0 = Date.now();
  const [bg, webPod] = await sidecars([{pod: 'pod-bg', process: 'background'}, {pod: 'pod-web', process: 'web'}]);
  children.push(bg.child, webPod.child);
  const env = {READY_DIR: readyDir, CHROMIUM_PATH: CHROMIUM};
  // Order 0 first, as the operator does: agent, then (once it is ready) background and web together.
  const agent = app('agent.js', ['--interval-ms', '2000'], bg, 'agent', env);
  children.push(agent);
  await until(() => fs.statSync(path.join(readyDir, 'agent.ready')), 30000, 'agent ready').catch((e) => {
    throw new Error(`${e.message}\n${logs()}`);
  });
  webPort = await freePort();
  const background = app('background.js', ['--timeout-ms', '15000'], bg, 'background', env);
  web = app('web.js', ['--port', String(webPort)], webPod, 'web', env);
  children.push(background, web);
  await until(async () => {
    for (const c of children) if (c.exitCode !== null) throw Object.assign(new Error(`${c.name} exited`), {fatal: true});
    fs.statSync(path.join(readyDir, 'background.ready'));
    assert.equal((await get('/healthz')).status, 200);
  }, 90000, 'background and web ready').catch((e) => { throw new Error(`${e.message}\n${logs()}`); });
  console.log(`# started 2 sidecars + agent, background (Chromium), web in ${Date.now() - t0} ms`);

  hang = http.createServer(() => { /* never answers */ });
  await new Promise((resolve) => hang.listen(0, '127.0.0.1', resolve));
});

test.after(async () => {
  if (hang) hang.close();
  if (hang) hang.closeAllConnections();
  await Promise.all(children.reverse().map(stop));
  fs.rmSync(readyDir, {recursive: true, force: true});
});

test('GET /snapshot returns a real JPEG of the default page (web /page, rendered by background through the hub)', async () => {
  const t0 = Date.now();
  const r = await get('/snapshot');
  assert.equal(r.status, 200, `${r.body.toString().slice(0, 500)}\n${logs()}`);
  assert.equal(r.type, 'image/jpeg');
  assert.deepEqual([...r.body.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic bytes');
  assert.deepEqual(jpegSize(r.body), {width: 1280, height: 800});
  assert.ok(r.body.length > 5000, `a rendered page, not a blank: ${r.body.length} bytes`);
  fs.writeFileSync(path.join(os.tmpdir(), 'page-snapshot-smoke.jpg'), r.body);
  console.log(`# /snapshot: ${r.body.length} bytes in ${Date.now() - t0} ms (saved to ${os.tmpdir()}/page-snapshot-smoke.jpg)`);
  assert.match(web.log, /"msg":"snapshot"/);
});

test('GET /snapshot?url=...&width=&height= honours the viewport', async () => {
  const r = await get(`/snapshot?url=${encodeURIComponent(`http://127.0.0.1:${webPort}/`)}&width=640&height=400&quality=40`);
  assert.equal(r.status, 200, r.body.toString().slice(0, 500));
  assert.deepEqual(jpegSize(r.body), {width: 640, height: 400});
});

test('a bad URL is a 400 carrying the remote error (name, message, code) thrown in background', async () => {
  let r = await get('/snapshot?url=not%20a%20url');
  assert.equal(r.status, 400);
  let e = r.json().error;
  assert.deepEqual([e.name, e.code, e.source], ['TypeError', 'ERR_INVALID_URL', 'remote']);
  assert.match(e.message, /invalid URL: not a url/);

  r = await get(`/snapshot?url=${encodeURIComponent('file:///etc/passwd')}`);
  assert.equal(r.status, 400);
  e = r.json().error;
  assert.deepEqual([e.name, e.code, e.source], ['RangeError', 'ERR_UNSUPPORTED_PROTOCOL', 'remote']);
});

test('an unreachable page is a 502 with the navigation error', async () => {
  const closed = await freePort(); // nothing listens there any more
  const r = await get(`/snapshot?url=${encodeURIComponent(`http://127.0.0.1:${closed}/`)}`);
  assert.equal(r.status, 502, r.body.toString());
  const e = r.json().error;
  assert.deepEqual([e.name, e.code, e.source], ['NavigationError', 'ERR_NAVIGATION', 'remote']);
  assert.match(e.message, /ERR_CONNECTION_REFUSED/);
});

test('take() honours its timeout: a page that never answers is a 504 at the deadline', async () => {
  const t0 = Date.now();
  const r = await get(`/snapshot?url=${encodeURIComponent(`http://127.0.0.1:${hang.address().port}/`)}&timeoutMs=1500`);
  const took = Date.now() - t0;
  assert.equal(r.status, 504, r.body.toString());
  const e = r.json().error;
  assert.deepEqual([e.name, e.code, e.source], ['TimeoutError', 'ERR_SNAPSHOT_TIMEOUT', 'remote']);
  assert.ok(took >= 1400 && took < 6000, `took ${took} ms`);
  // The browser is still usable after an abandoned page.
  assert.equal((await get('/snapshot?width=320&height=200')).status, 200);
});

test('GET /stats calls snapshotStats, published at run time by background, from the web pod', async () => {
  await until(async () => {
    const r = await get('/stats');
    assert.equal(r.status, 200, r.body.toString());
    const s = r.json();
    assert.ok(s.snapshotStats.taken >= 3, `taken ${s.snapshotStats.taken}`);
    assert.ok(s.snapshotStats.failed >= 4, `failed ${s.snapshotStats.failed}`);
    assert.equal(s.snapshotStats.timeouts, 1);
    assert.match(s.snapshotStats.browserVersion, /Chrom/);
    // The agent counted the same snapshots from the group-wide snapshot.taken events.
    assert.ok(s.agent.ok >= 3, `agent ok ${s.agent.ok}`);
    assert.equal(s.agent.byCode.ERR_INVALID_URL, 1);
  }, 10000, '/stats counters');
});

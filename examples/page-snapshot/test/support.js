'use strict';

// Runs the example without Kubernetes: real hub sidecars (sidecar/target/procgroup-sidecar.jar, static
// peers mode, loopback) and the example's processes as child processes, each pointed at "its pod's"
// sidecar with PROCGROUP_HUB_URL, as the operator would.

const {spawn} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {setTimeout: sleep} = require('node:timers/promises');

const APP = path.resolve(__dirname, '..');
const SIDECAR = path.resolve(APP, '../../sidecar');
const JAR = path.join(SIDECAR, 'target/procgroup-sidecar.jar');
// The repository's one rule for test ports (below the ephemeral range, never twice).
const {freePort} = require('../../../clients/node/test/ports');

function child(cmd, args, env, name) {
  const c = spawn(cmd, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe'], cwd: APP});
  c.name = name;
  c.log = '';
  c.stdout.on('data', (d) => { c.log += d; });
  c.stderr.on('data', (d) => { c.log += d; });
  c.exited = new Promise((resolve) => c.once('exit', resolve));
  return c;
}

async function stop(c) {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 5000);
  await c.exited;
  clearTimeout(t);
}

/** A sidecar for one "pod"; `peers` are the other sidecars (static peers: every one is taken as ready). */
async function sidecars(pods, group = 'page-snapshot', token = 'smoke-token') {
  if (!fs.existsSync(JAR)) throw new Error(`${JAR} is missing: build it first (mvn -pl sidecar -am package -DskipTests)`);
  for (const p of pods) Object.assign(p, {hubPort: await freePort(), peerPort: await freePort(), metricsPort: await freePort()});
  for (const p of pods) {
    p.url = `http://127.0.0.1:${p.hubPort}`;
    p.child = child('bash', [path.join(SIDECAR, 'run.sh')], {
      PROCGROUP_GROUP: group,
      PROCGROUP_PROCESS: p.process,
      PROCGROUP_NAMESPACE: 'default',
      PROCGROUP_POD_NAME: p.pod,
      PROCGROUP_POD_IP: '127.0.0.1',
      PROCGROUP_HUB_TOKEN: token,
      PROCGROUP_HUB_PORT: String(p.hubPort),
      PROCGROUP_PEER_PORT: String(p.peerPort),
      PROCGROUP_PEER_HOST: '127.0.0.1',
      PROCGROUP_METRICS_PORT: String(p.metricsPort),
      PROCGROUP_METRICS_HOST: '127.0.0.1',
      PROCGROUP_APP_METRICS: 'off',
      PROCGROUP_STATIC_PEERS: pods.filter((q) => q !== p).map((q) => `${q.pod}=127.0.0.1:${q.peerPort}`).join(','),
    }, `sidecar ${p.pod}`);
  }
  const started = await Promise.allSettled(pods.map((p) => until(async () => {
    if (p.child.exitCode !== null) throw Object.assign(new Error(`sidecar ${p.pod} exited:\n${p.child.log}`), {fatal: true});
    const res = await fetch(`${p.url}/v1/context`);
    if (!res.ok) throw new Error(`sidecar ${p.pod}: ${res.status}`);
  }, 60000, `sidecar ${p.pod}`)));
  // If one does not come up, the others are stopped too: a sidecar left running keeps the test process alive.
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(pods.map((p) => stop(p.child)));
    throw failed.reason;
  }
  return pods;
}

/** Starts `node <script> args...` as process `name` behind sidecar `pod`. */
function app(script, args, pod, name, env = {}) {
  return child(process.execPath, [script, ...args], {
    PROCGROUP_HUB_URL: pod.url,
    PROCGROUP_GROUP: 'page-snapshot',
    PROCGROUP_PROCESS: name,
    PROCGROUP_NAMESPACE: 'default',
    PROCGROUP_POD_NAME: `${pod.pod}-${name}`,
    HOME: process.env.TMPDIR || '/tmp',
    ...env,
  }, name);
}

/** Polls `check` until it resolves; rethrows its last error after `ms`. An error with .fatal stops at once. */
async function until(check, ms, what) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (err.fatal) throw err;
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}: ${last && last.message}`);
    await sleep(100);
  }
}

/** Width and height from a JPEG's SOF marker: proves the bytes are a real, decodable-looking JPEG. */
function jpegSize(buf) {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const marker = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return {height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7)};
    }
    i += 2 + len;
  }
  return null;
}

module.exports = {APP, JAR, freePort, sidecars, app, stop, until, jpegSize};

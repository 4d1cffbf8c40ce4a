'use strict';

// Real processes for the tests: redis-server (Debian's, from the host: e2e/cluster/prereqs installs it) started
// with the very script procgroup.yaml gives the redis process, and web.js replicas pointed at it.

const {spawn} = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** The redis process's start script, as procgroup.yaml has it (the heredoc of its `sh -c` entry). */
function redisScriptFromProcgroup() {
  const lines = fs.readFileSync(path.join(ROOT, 'procgroup.yaml'), 'utf8').split('\n');
  const start = lines.findIndex((l) => /^\s*exec redis-server - <<EOF$/.test(l));
  if (start < 0) throw new Error('procgroup.yaml: no `exec redis-server - <<EOF` line');
  const indent = lines[start].match(/^\s*/)[0];
  const end = lines.findIndex((l, i) => i > start && l === `${indent}EOF`);
  if (end < 0) throw new Error('procgroup.yaml: the redis heredoc has no EOF line');
  return lines.slice(start, end + 1).map((l) => l.slice(indent.length)).join('\n') + '\n';
}

async function freePort() {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((ok) => srv.once('listening', ok));
  const {port} = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

function waitFor(check, what, timeoutMs = 15000) {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      let v;
      try { v = await check(); } catch { v = undefined; }
      if (v) return resolve(v);
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

/** One line of RESP to a TCP port and the first reply line: what a client without the password gets. */
function rawCommand(port, command) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`${command}\r\n`));
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
      if (buf.includes('\r\n')) { s.destroy(); resolve(buf.split('\r\n')[0]); }
    });
    s.on('error', reject);
  });
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((ok) => child.once('exit', ok));
}

/** Redis as the group runs it, on a free port, its data in a directory that survives restarts of the server. */
class RedisServer {
  constructor(password) {
    this.password = password;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-state-redis-'));
    this.script = redisScriptFromProcgroup();
  }

  async start() {
    this.port ??= await freePort();
    const script = this.script.replace(/^port 6379$/m, `port ${this.port}`).replace(/^dir \/data$/m, `dir ${this.dir}`);
    if (!script.includes(`port ${this.port}`) || !script.includes(`dir ${this.dir}`)) {
      throw new Error(`procgroup.yaml's redis script no longer has 'port 6379' and 'dir /data':\n${this.script}`);
    }
    this.log = '';
    this.child = spawn('sh', ['-c', script], {env: {PATH: process.env.PATH, REDISCLI_AUTH: this.password},
      stdio: ['ignore', 'pipe', 'pipe']});
    for (const s of [this.child.stdout, this.child.stderr]) s.on('data', (d) => { this.log += d; });
    await waitFor(() => rawCommand(this.port, `AUTH ${this.password}`).then((r) => r === '+OK'),
      `redis-server on ${this.port}\n${this.log}`);
  }

  /** SIGTERM: Redis writes its append-only file and exits, as when the kubelet stops the container. */
  async stop(signal = 'SIGTERM') {
    if (!this.child) return;
    this.child.kill(signal);
    await exited(this.child);
    this.child = null;
  }

  async remove() {
    await this.stop('SIGKILL');
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}

/** One web replica: `node web.js`, as procgroup.yaml starts it, named like a pod. */
class WebReplica {
  constructor(name, redis) {
    this.name = name;
    this.redis = redis;
  }

  async start() {
    this.port = await freePort();
    this.log = '';
    this.child = spawn(process.execPath, [path.join(ROOT, 'web.js'), '--port', String(this.port), '--session-ttl-seconds', '60'], {
      env: {PATH: process.env.PATH, REDIS_URL: `redis://127.0.0.1:${this.redis.port}`, REDIS_PASSWORD: this.redis.password,
        PROCGROUP_POD_NAME: this.name},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [this.child.stdout, this.child.stderr]) s.on('data', (d) => { this.log += d; });
    await waitFor(async () => (await this.fetch('/healthz')).status === 200, `${this.name} healthy\n${this.log}`);
  }

  get base() {
    return `http://127.0.0.1:${this.port}`;
  }

  async fetch(p, init = {}) {
    return fetch(this.base + p, {...init, signal: AbortSignal.timeout(5000)});
  }

  async json(p, init) {
    const res = await this.fetch(p, init);
    const body = res.status === 204 ? null : await res.json();
    return {status: res.status, body, res};
  }

  async stop(signal = 'SIGTERM') {
    if (!this.child) return;
    this.child.kill(signal);
    await exited(this.child);
    this.child = null;
  }
}

module.exports = {RedisServer, WebReplica, rawCommand, redisScriptFromProcgroup, waitFor};

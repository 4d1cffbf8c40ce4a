'use strict';

// Starts real sidecars (sidecar/target/procgroup-sidecar.jar, built by `mvn -pl sidecar package`) on
// loopback in static-peers mode: no apiserver, distinct ports, one shared token.

const {spawn} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const {setTimeout: sleep} = require('node:timers/promises');
const {freePort} = require('../ports');

const SIDECAR = path.resolve(__dirname, '../../../../sidecar');
const JAR = path.join(SIDECAR, 'target/procgroup-sidecar.jar');
const FIXTURES = path.resolve(__dirname, '../fixtures');
const DECLARED_SERVICES = 'declaredReports=background';

class Sidecar {
  constructor(pod, ports, group = 'itest', token = 'itest-token') {
    Object.assign(this, {pod, group, token}, ports);
    this.url = `http://127.0.0.1:${this.hubPort}`;
    this.peerAddress = `127.0.0.1:${this.peerPort}`;
    this.peers = [];
    this.log = '';
    this.env = {}; // extra sidecar settings (PROCGROUP_OTLP_ENDPOINT, ...)
  }

  static async create(pod, process = 'proc') {
    const s = new Sidecar(pod, {hubPort: await freePort(), peerPort: await freePort(), metricsPort: await freePort()});
    s.process = process;
    return s;
  }

  async start() {
    if (!fs.existsSync(JAR)) {
      throw new Error(`${JAR} is missing: build the sidecar first (mvn -pl sidecar -am package -DskipTests)`);
    }
    // run.sh execs java with the production JVM flags, so the child's pid is the JVM's.
    this.child = spawn('bash', [path.join(SIDECAR, 'run.sh')], {
      env: {
        ...process.env,
        PROCGROUP_GROUP: this.group,
        PROCGROUP_PROCESS: this.process,
        PROCGROUP_NAMESPACE: 'default',
        PROCGROUP_POD_NAME: this.pod,
        PROCGROUP_POD_IP: '127.0.0.1',
        PROCGROUP_HUB_TOKEN: this.token,
        PROCGROUP_HUB_PORT: String(this.hubPort),
        PROCGROUP_PEER_PORT: String(this.peerPort),
        PROCGROUP_PEER_HOST: '127.0.0.1',
        PROCGROUP_METRICS_PORT: String(this.metricsPort),
        PROCGROUP_METRICS_HOST: '127.0.0.1',
        PROCGROUP_APP_METRICS: 'off',
        PROCGROUP_STATIC_PEERS: this.peers.map((p) => `${p.pod}=${p.peerAddress}`).join(','),
        // spec.services as the operator passes it: the tests' one declared service belongs to process background.
        PROCGROUP_DECLARED_SERVICES: DECLARED_SERVICES,
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (d) => { this.log += d; });
    this.child.stderr.on('data', (d) => { this.log += d; });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    const end = Date.now() + 30000;
    while (Date.now() < end) {
      if (this.child.exitCode !== null) throw new Error(`sidecar ${this.pod} exited ${this.child.exitCode}:\n${this.log}`);
      try {
        const res = await fetch(`${this.url}/v1/context`);
        if (res.ok) return this;
      } catch (_) { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error(`sidecar ${this.pod} did not come up in 30 s:\n${this.log}`);
  }

  /** Waits until this sidecar takes calls to every one of its peers (it probes each until it answers). */
  async awaitPeers(ms = 30000) {
    const want = `procgroup_hub_peers{state="ready"} ${this.peers.length}`;
    const end = Date.now() + ms;
    for (;;) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
        if (text.split('\n').some((line) => line.trim() === want)) return;
      } catch (_) { /* not answering yet */ }
      if (Date.now() > end) throw new Error(`sidecar ${this.pod} does not reach its peers within ${ms} ms:\n${this.log}`);
      await sleep(100);
    }
  }

  /** SIGKILL, as a crashed container. */
  async kill() {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** Two sidecars of one group that know each other as static peers; `env` is added to both sidecars' environment. */
async function pair(env = {}) {
  const a = await Sidecar.create('pod-a', 'background');
  const b = await Sidecar.create('pod-b', 'web');
  a.peers = [b];
  b.peers = [a];
  a.env = env;
  b.env = env;
  // If one does not come up, the other is stopped too: a sidecar left running keeps the test process alive.
  const started = await Promise.allSettled([a.start(), b.start()].map((p, i) => p.then(() => [a, b][i].awaitPeers())));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all([a.kill(), b.kill()]);
    throw failed.reason;
  }
  return [a, b];
}

/** A publisher in its own Node process (test/fixtures/publisher.js) behind `sidecar`. */
async function spawnPublisher(sidecar, name) {
  const child = spawn(process.execPath, [path.join(FIXTURES, 'publisher.js'), name], {
    env: {...process.env, PROCGROUP_HUB_URL: sidecar.url},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.out = '';
  child.stdout.on('data', (d) => { child.out += d; });
  child.stderr.on('data', (d) => { child.out += d; });
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  const end = Date.now() + 15000;
  while (!child.out.includes('published')) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`publisher did not start:\n${child.out}`);
    await sleep(25);
  }
  return child;
}

module.exports = {Sidecar, pair, spawnPublisher, freePort, JAR};

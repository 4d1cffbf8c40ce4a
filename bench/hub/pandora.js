'use strict';
// Pandora's own IPC hub (npm pandora-hub, installed by run.sh into bench/hub/node_modules), three processes like
// under the Pandora daemon: `hub`, `provider` (publishObject of "echo"), `consumer` (getProxy + calls).
// consumer args: rate(0 = saturation) concurrency warmupS measureS bodyBytes; prints one JSON line ("total" counts
// the warm-up's calls too, as LoadGen's does).
const {HubServer, HubFacade} = require('pandora-hub');
const role = process.argv[2];

function facade(name) {
  const f = new HubFacade();
  f.setup({location: {appName: 'bench', processName: name, pid: String(process.pid)}, logger: {
    info() {}, warn() {}, debug() {}, error: console.error, log() {}}});
  return f;
}

async function main() {
  if (role === 'hub') {
    const hub = new HubServer();
    await hub.start();
    setInterval(() => {}, 1 << 30);
    console.log('READY');
    return;
  }
  if (role === 'provider') {
    const f = facade('provider');
    await f.start();
    await f.publish({say(x) { return [x]; }}, {name: 'echo'});
    setInterval(() => {}, 1 << 30); // the messenger socket is unref'd: keep the provider alive
    console.log('READY');
    return;
  }
  const [rate, conc, warmup, measure, bodyBytes] = process.argv.slice(3).map(Number);
  const f = facade('consumer');
  await f.start();
  const proxy = await f.getProxy({name: 'echo'}, {timeout: 10000});
  const payload = 'x'.repeat(Math.max(0, bodyBytes - 4));
  await proxy.say(payload);
  const now = () => Number(process.hrtime.bigint());
  const start = now() + 50e6, measureFrom = start + warmup * 1e9, end = measureFrom + measure * 1e9;
  const lat = [];
  let errors = 0, total = 0;
  const record = (scheduled) => { const d = now(); total++; if (scheduled >= measureFrom) lat.push(d - scheduled); };
  if (rate > 0) {
    const interval = 1e9 / rate;
    let next = start, inflight = 0;
    await new Promise((resolve) => {
      const tick = () => {
        const t = now();
        while (next <= t && next < end) {
          const scheduled = next;
          next += interval;
          inflight++;
          proxy.say(payload).then(() => record(scheduled), () => errors++).finally(() => {
            inflight--;
            if (next >= end && inflight === 0) resolve();
          });
        }
        if (next < end) setImmediate(tick);
        else if (inflight === 0) resolve();
      };
      tick();
    });
  } else {
    await new Promise((r) => setTimeout(r, 50));
    const worker = async () => {
      while (now() < end) {
        const s = now();
        try { await proxy.say(payload); record(s); } catch (e) { errors++; }
      }
    };
    await Promise.all(Array.from({length: conc}, worker));
  }
  lat.sort((a, b) => a - b);
  const pct = (p) => lat.length ? lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(p * lat.length) - 1))] / 1e3 : 0;
  console.log(JSON.stringify({count: lat.length, total, errors, seconds: measure, rps: lat.length / measure,
    p50Us: pct(0.5), p90Us: pct(0.9), p99Us: pct(0.99), p999Us: pct(0.999), maxUs: lat.length ? lat[lat.length - 1] / 1e3 : 0}));
  process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });

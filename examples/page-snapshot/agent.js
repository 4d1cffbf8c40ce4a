'use strict';

// The `agent` process (Pandora's built-in `agent`, order 0: it starts before everything else). It keeps
// group-wide counters from the `snapshot.taken` events that background broadcasts, publishes them as the
// `stats` object, and logs a report every --interval-ms with what the hub sees (objects and providers).
//
//   node agent.js [--interval-ms 30000]

const hub = require('@procgroup/hub');
const {options, int, logger, markReady, onShutdown} = require('./lib/common');

const log = logger('agent');
const opts = options({'interval-ms': {type: 'string'}});
const intervalMs = int(opts['interval-ms'] ?? process.env.REPORT_INTERVAL_MS, 30000, 1000, 3600000);

const counters = {since: new Date().toISOString(), events: 0, ok: 0, failed: 0, bytes: 0, totalMs: 0, byHost: {}, byCode: {}, last: null};
let lastObjects = [];

function onSnapshot(data, from) {
  counters.events++;
  const d = data && typeof data === 'object' ? data : {};
  if (d.ok) {
    counters.ok++;
    counters.bytes += Number(d.bytes) || 0;
    counters.totalMs += Number(d.ms) || 0;
  } else {
    counters.failed++;
    const code = String(d.code || 'unknown');
    counters.byCode[code] = (counters.byCode[code] || 0) + 1;
  }
  let host = 'invalid';
  try { host = new URL(d.url).host; } catch (_) { /* keep 'invalid' */ }
  counters.byHost[host] = (counters.byHost[host] || 0) + 1;
  counters.last = {...d, from, at: new Date().toISOString()};
}

async function refreshObjects() {
  const objects = await hub.listObjects();
  lastObjects = objects.map((o) => ({name: o.name, methods: o.methods,
    providers: o.providers.map((p) => `${p.process}/${p.pod}${p.ready ? '' : ' (not ready)'}`)}));
  return lastObjects;
}

function report() {
  return {
    ...counters,
    byHost: {...counters.byHost},
    byCode: {...counters.byCode},
    avgMs: counters.ok ? Math.round(counters.totalMs / counters.ok) : null,
    objects: lastObjects,
    agent: {pod: process.env.PROCGROUP_POD_NAME || null, pid: process.pid, uptimeS: Math.round(process.uptime())},
  };
}

async function main() {
  await hub.subscribe('snapshot.taken', onSnapshot);
  await hub.publishObject('stats', {
    async report() {
      await refreshObjects().catch((err) => log.warn('listing hub objects failed', {error: err.message}));
      return report();
    },
    async objects() { return refreshObjects(); },
  });
  log.info('published stats; subscribed to snapshot.taken', {intervalMs});
  markReady('agent');

  const timer = setInterval(async () => {
    try {
      await refreshObjects();
    } catch (err) {
      log.warn('listing hub objects failed', {error: err.message});
    }
    const r = report();
    log.info('report', {snapshots: r.ok, failed: r.failed, bytes: r.bytes, avgMs: r.avgMs, byCode: r.byCode,
      objects: r.objects.map((o) => `${o.name}[${o.providers.join(',')}]`)});
  }, intervalMs);
  onShutdown(log, async () => {
    clearInterval(timer);
    await hub.close();
  });
}

main().catch((err) => {
  log.error('agent failed to start', {name: err.name, error: err.message});
  process.exit(1);
});

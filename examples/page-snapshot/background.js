'use strict';

// The `background` process (Pandora: pandora.service('pageSnapshot', ...).process('background').publish()).
// Publishes `pageSnapshot` (declared in the ProcessGroup's spec.services) once headless Chromium works, then
// publishes `snapshotStats` at run time with publishObject, and tells the group about every snapshot with
// an event (`snapshot.taken`), which the agent counts.
//
//   node [--max-old-space-size=...] background.js [--concurrency 2] [--timeout-ms 15000] [--quality 60]

const hub = require('@procgroup/hub');
const {PageSnapshot} = require('./lib/page-snapshot');
const {options, int, logger, markReady, onShutdown} = require('./lib/common');

const log = logger('background');
const opts = options({
  concurrency: {type: 'string'},
  'timeout-ms': {type: 'string'},
  quality: {type: 'string'},
  chromium: {type: 'string'},
});

const snapshots = new PageSnapshot({
  executablePath: opts.chromium || process.env.CHROMIUM_PATH || process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
  concurrency: int(opts.concurrency ?? process.env.SNAPSHOT_CONCURRENCY, 2, 1, 8),
  timeoutMs: int(opts['timeout-ms'] ?? process.env.SNAPSHOT_TIMEOUT_MS, 15000, 100, 120000),
  quality: int(opts.quality ?? process.env.SNAPSHOT_QUALITY, 60, 10, 90),
  log,
});

/** Tell the group (fire and forget): the agent keeps group-wide counters from these events. */
function announce(data) {
  hub.broadcast('snapshot.taken', data).catch((err) => log.warn('broadcast failed', {error: err.message}));
}

async function main() {
  const t0 = Date.now();
  await snapshots.start();
  log.info('chromium works (warm-up screenshot taken)', {ms: Date.now() - t0});

  // Only `take` is published: a facade, so that start/stop and helpers are not callable from other pods.
  await hub.publishObject('pageSnapshot', {
    async take(url, options) {
      const started = Date.now();
      try {
        const r = await snapshots.take(url, options);
        log.info('snapshot', {url: r.url, bytes: r.bytes, status: r.status, ms: r.tookMs});
        announce({ok: true, url: r.url, bytes: r.bytes, ms: r.tookMs});
        return r;
      } catch (err) {
        log.warn('snapshot failed', {url: String(url).slice(0, 200), name: err.name, code: err.code, error: err.message});
        announce({ok: false, url: String(url).slice(0, 200), code: err.code || err.name, ms: Date.now() - started});
        throw err;
      }
    },
  });
  log.info('published pageSnapshot');

  // A run-time publish (not in spec.services): Pandora's publishObject from a running process.
  await hub.publishObject('snapshotStats', {
    async get() { return snapshots.snapshotStats(); },
  });
  log.info('published snapshotStats');
  markReady('background');
}

onShutdown(log, async () => {
  await hub.close(); // unpublish first: new calls go elsewhere (or fail fast) while Chromium closes
  await snapshots.stop();
});

main().catch((err) => {
  log.error('background failed to start', {name: err.name, error: err.message, stack: err.stack});
  process.exit(1);
});

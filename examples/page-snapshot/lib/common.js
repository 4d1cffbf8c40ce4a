'use strict';

// Small helpers shared by the three processes of the example.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {parseArgs} = require('node:util');

/** `--port 5511` style program args (the ProcessGroup's `args`), with defaults from the environment. */
function options(spec) {
  const {values} = parseArgs({options: spec, strict: false, allowPositionals: true});
  return values;
}

/** An integer from a CLI value or env var, clamped to [min, max]. */
function int(value, fallback, min = -Infinity, max = Infinity) {
  const n = value === undefined || value === null || value === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.round(n)));
}

/** One log line per event, JSON, on stdout (the container log). */
function logger(processName) {
  const write = (level, msg, fields) =>
    process.stdout.write(JSON.stringify({t: new Date().toISOString(), level, process: processName, msg, ...fields}) + '\n');
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

/**
 * Marks the process ready for an exec readiness probe (`test -f /tmp/<name>.ready`): the process has
 * published what it serves. /tmp is the pod's writable emptyDir (the root filesystem is read-only).
 */
function markReady(name) {
  const dir = process.env.READY_DIR || os.tmpdir();
  const file = path.join(dir, `${name}.ready`);
  fs.writeFileSync(file, `${process.pid} ${new Date().toISOString()}\n`);
  process.once('exit', () => {
    try { fs.unlinkSync(file); } catch (_) { /* already gone */ }
  });
  return file;
}

/** This pod's IPv4 address (the first non-internal interface), as os.networkInterfaces() sees it. */
function podIPFromInterfaces() {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs || []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/** An Error with a `code`, which the hub carries to the caller (`err.code`). */
function codedError(Type, message, code) {
  const e = new Type(message);
  e.code = code;
  return e;
}

/** Runs `fn` on SIGTERM/SIGINT once, then exits (Pandora's service stop(); Kubernetes sends SIGTERM). */
function onShutdown(log, fn) {
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', {signal});
    try {
      await fn();
    } catch (err) {
      log.error('stop failed', {error: err.message});
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = {options, int, logger, markReady, podIPFromInterfaces, codedError, onShutdown};

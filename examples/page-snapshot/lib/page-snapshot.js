'use strict';

// The page-snapshot service: headless Chromium (Debian's /usr/bin/chromium) driven by puppeteer-core.
// Pandora's original launched puppeteer's bundled Chrome in start() and screenshotted in take(url); this
// one adds what a shared service needs: URL checks, a deadline per call, a concurrency limit, a size cap
// under the hub's 1 MiB message limit, relaunch after a browser crash, and counters.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const {codedError} = require('./common');

// Flags for Chromium in a container: no user namespaces for its sandbox (non-root, all capabilities
// dropped), a small /dev/shm (use /tmp instead), no GPU, and nothing that phones home (the cluster has no
// DNS and no egress; background networking would only produce errors and latency).
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--no-default-browser-check',
  '--mute-audio',
];

// A hub message (the WebSocket frame carrying the result) is limited to 1 MiB; leave room for the JSON.
const MAX_BASE64_CHARS = 900 * 1024;
const MAX_TIMEOUT_MS = 120000;

class Semaphore {
  constructor(n) {
    this.free = n;
    this.waiting = [];
  }

  /** Resolves with a release function, or rejects when `signal` aborts first. */
  acquire(signal) {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this._release());
    }
    return new Promise((resolve, reject) => {
      const entry = {resolve, reject};
      this.waiting.push(entry);
      signal.addEventListener('abort', () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      }, {once: true});
    });
  }

  _release() {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next.resolve(this._release());
      else this.free++;
    };
  }

  get queued() {
    return this.waiting.length;
  }
}

class PageSnapshot {
  /**
   * @param {object} o
   * @param {string} o.executablePath  Chromium binary
   * @param {number} o.concurrency     pages rendered at once (the rest queue, inside the deadline)
   * @param {number} o.timeoutMs       default deadline per take(), queueing included
   * @param {number} o.quality         default JPEG quality
   */
  constructor({executablePath, concurrency = 2, timeoutMs = 15000, quality = 60, log}) {
    Object.assign(this, {executablePath, timeoutMs, quality, log});
    this.slots = new Semaphore(concurrency);
    this.concurrency = concurrency;
    this.browser = null;
    this.launching = null;
    this.stats = {
      startedAt: new Date().toISOString(), launches: 0, browserVersion: null, taken: 0, failed: 0, timeouts: 0,
      bytes: 0, totalMs: 0, maxMs: 0, lastUrl: null, lastError: null, byCode: {},
    };
  }

  async start() {
    await this._browser();
    // Warm-up and self-check: render one page without any network, so "ready" means Chromium works here.
    const page = await this.browser.newPage();
    try {
      await page.setViewport({width: 320, height: 200});
      await page.setContent('<html><body style="background:#0a6"><h1>warm-up</h1></body></html>');
      const buf = await page.screenshot({type: 'jpeg', quality: 50});
      if (!(buf[0] === 0xff && buf[1] === 0xd8)) throw new Error('warm-up screenshot is not a JPEG');
    } finally {
      await page.close().catch(() => {});
    }
  }

  async stop() {
    const b = this.browser;
    this.browser = null;
    if (b) await b.close().catch(() => {});
    if (this.userDataDir) fs.rmSync(this.userDataDir, {recursive: true, force: true});
  }

  /** Launches Chromium once; again after it crashed or was closed. */
  async _browser() {
    if (this.browser && this.browser.connected) return this.browser;
    if (!this.launching) {
      this.launching = (async () => {
        if (this.userDataDir) fs.rmSync(this.userDataDir, {recursive: true, force: true});
        // The root filesystem is read-only: profile, caches and crash dumps go under /tmp (HOME=/tmp too).
        this.userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
        const t0 = Date.now();
        const browser = await puppeteer.launch({
          executablePath: this.executablePath,
          headless: true,
          userDataDir: this.userDataDir,
          args: CHROMIUM_FLAGS,
          timeout: 60000,
          protocolTimeout: 60000,
          env: {...process.env, HOME: process.env.HOME || os.tmpdir()},
        });
        this.stats.launches++;
        this.stats.browserVersion = await browser.version();
        this.log.info('chromium launched', {version: this.stats.browserVersion, ms: Date.now() - t0, flags: CHROMIUM_FLAGS});
        browser.on('disconnected', () => {
          if (this.browser === browser) {
            this.browser = null;
            this.log.warn('chromium disconnected; it is relaunched on the next call');
          }
        });
        this.browser = browser;
        return browser;
      })().finally(() => { this.launching = null; });
    }
    return this.launching;
  }

  /**
   * Screenshots `url` as a JPEG. Resolves with {url, status, width, height, quality, bytes, tookMs,
   * type: 'image/jpeg', base64} (the hub carries JSON, so the bytes travel as base64, as in Pandora).
   * Throws coded errors: ERR_INVALID_URL, ERR_UNSUPPORTED_PROTOCOL, ERR_NAVIGATION,
   * ERR_SNAPSHOT_TIMEOUT, ERR_SNAPSHOT_TOO_LARGE.
   */
  async take(url, options = {}) {
    const started = Date.now();
    const o = options && typeof options === 'object' ? options : {};
    const timeoutMs = clamp(o.timeoutMs, this.timeoutMs, 100, MAX_TIMEOUT_MS);
    const width = clamp(o.width, 1280, 200, 1920);
    const height = clamp(o.height, 800, 150, 1600);
    const quality = clamp(o.quality, this.quality, 10, 90);
    let target;
    try {
      target = checkUrl(url);
      const result = await this._withDeadline(timeoutMs, url, (signal) => this._render(target, {width, height, quality}, signal));
      const tookMs = Date.now() - started;
      Object.assign(this.stats, {taken: this.stats.taken + 1, bytes: this.stats.bytes + result.bytes,
        totalMs: this.stats.totalMs + tookMs, maxMs: Math.max(this.stats.maxMs, tookMs), lastUrl: target});
      return {url: target, ...result, tookMs};
    } catch (err) {
      this.stats.failed++;
      if (err.code === 'ERR_SNAPSHOT_TIMEOUT') this.stats.timeouts++;
      const code = err.code || err.name || 'Error';
      this.stats.byCode[code] = (this.stats.byCode[code] || 0) + 1;
      this.stats.lastError = {url: String(url).slice(0, 200), name: err.name, code: err.code || null, message: err.message};
      throw err;
    }
  }

  /** Runs `fn(signal)` with the call's deadline; on expiry the page is closed and a coded TimeoutError thrown. */
  async _withDeadline(timeoutMs, url, fn) {
    const ctl = new AbortController();
    const timeoutError = () => {
      const e = codedError(Error, `snapshot of ${url} did not finish within ${timeoutMs} ms`, 'ERR_SNAPSHOT_TIMEOUT');
      e.name = 'TimeoutError';
      return e;
    };
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => {
        ctl.abort(timeoutError());
        reject(timeoutError());
      }, timeoutMs);
    });
    try {
      return await Promise.race([fn(ctl.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async _render(url, {width, height, quality}, signal) {
    const release = await this.slots.acquire(signal);
    let page;
    const onAbort = () => { if (page) page.close().catch(() => {}); };
    signal.addEventListener('abort', onAbort, {once: true});
    try {
      const browser = await this._browser();
      signal.throwIfAborted();
      page = await browser.newPage();
      signal.throwIfAborted();
      await page.setViewport({width, height});
      let response;
      try {
        response = await page.goto(url, {waitUntil: 'load', timeout: 0}); // the call's deadline governs
      } catch (err) {
        signal.throwIfAborted();
        const e = codedError(Error, `cannot load ${url}: ${err.message}`, 'ERR_NAVIGATION');
        e.name = 'NavigationError';
        throw e;
      }
      signal.throwIfAborted();
      let q = quality;
      let buf = await page.screenshot({type: 'jpeg', quality: q});
      // Keep the answer under the hub's message limit: lower the quality once before giving up.
      if (base64Length(buf.length) > MAX_BASE64_CHARS && q > 25) {
        q = 25;
        buf = await page.screenshot({type: 'jpeg', quality: q});
      }
      if (base64Length(buf.length) > MAX_BASE64_CHARS) {
        throw codedError(RangeError, `the JPEG of ${url} is ${buf.length} bytes even at quality ${q}; ` +
          `the hub carries at most ${MAX_BASE64_CHARS} base64 characters: ask for a smaller width/height`, 'ERR_SNAPSHOT_TOO_LARGE');
      }
      return {status: response ? response.status() : null, width, height, quality: q, bytes: buf.length,
        type: 'image/jpeg', base64: Buffer.from(buf).toString('base64')};
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (page) await page.close().catch(() => {});
      release();
    }
  }

  /** Counters for the dynamically published `snapshotStats` object. */
  snapshotStats() {
    const s = this.stats;
    return {...s, byCode: {...s.byCode}, avgMs: s.taken ? Math.round(s.totalMs / s.taken) : null,
      inFlight: this.concurrency - this.slots.free, queued: this.slots.queued, concurrency: this.concurrency,
      browserConnected: Boolean(this.browser && this.browser.connected), pid: process.pid};
  }
}

function clamp(value, fallback, min, max) {
  const n = Number(value);
  if (value === undefined || value === null || !Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.round(n)));
}

function base64Length(bytes) {
  return Math.ceil(bytes / 3) * 4;
}

/** Only absolute http(s) URLs; everything else fails with a coded error the caller can map to a 400. */
function checkUrl(url) {
  if (typeof url !== 'string' || url.trim() === '') {
    throw codedError(TypeError, 'a URL is required (a non-empty string)', 'ERR_INVALID_URL');
  }
  let u;
  try {
    u = new URL(url);
  } catch (_) {
    throw codedError(TypeError, `invalid URL: ${url.slice(0, 200)}`, 'ERR_INVALID_URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw codedError(RangeError, `unsupported protocol ${u.protocol} (only http: and https:)`, 'ERR_UNSUPPORTED_PROTOCOL');
  }
  return u.href;
}

module.exports = {PageSnapshot, CHROMIUM_FLAGS, MAX_BASE64_CHARS, checkUrl};

'use strict';

// The `web` process (Pandora: pandora.service('web', './services/Web').process('worker').config({port: 5511})).
// An HTTP server that asks the `background` process, through the hub, for page snapshots:
//
//   GET /                  a tiny HTML form
//   GET /snapshot?url=...  the JPEG of url (default: this pod's own /page), from pageSnapshot.take()
//                          optional: width, height, quality, timeoutMs
//   GET /page              a demo page, served here so that no traffic leaves the cluster
//   GET /stats             background's run-time published snapshotStats + the agent's stats + web's own
//   GET /healthz           readiness
//
//   node [--max-old-space-size=...] web.js [--port 5511] [--timeout-ms 15000]

const http = require('node:http');
const os = require('node:os');
const hub = require('@procgroup/hub');
const {options, int, logger, podIPFromInterfaces, onShutdown} = require('./lib/common');

const log = logger('web');
const opts = options({port: {type: 'string'}, 'timeout-ms': {type: 'string'}});
const port = int(opts.port ?? process.env.PORT, 5511, 1, 65535);
const timeoutMs = int(opts['timeout-ms'] ?? process.env.SNAPSHOT_TIMEOUT_MS, 15000, 100, 120000);
// Chromium in the background pod loads this URL: this pod's own IP, so the page is the replica's that
// answered (the Service page-snapshot-web spreads calls over the replicas).
const podIP = process.env.POD_IP || podIPFromInterfaces();
const defaultUrl = process.env.SNAPSHOT_DEFAULT_URL || `http://${podIP}:${port}/page`;

const started = Date.now();
const counters = {requests: 0, snapshots: 0, snapshotErrors: 0, byStatus: {}};

/** HTTP status for a failed hub call: remote errors by their code, hub errors by their name. */
function statusOf(err) {
  if (err && err.source === 'remote') {
    switch (err.code) {
      case 'ERR_INVALID_URL':
      case 'ERR_UNSUPPORTED_PROTOCOL':
        return 400;
      case 'ERR_SNAPSHOT_TOO_LARGE':
        return 422;
      case 'ERR_NAVIGATION':
        return 502; // the target page could not be loaded
      case 'ERR_SNAPSHOT_TIMEOUT':
        return 504;
      default:
        return 500;
    }
  }
  switch (err && err.name) {
    case 'BadRequest': return 400;
    case 'ObjectNotFound':
    case 'NoReadyProvider':
    case 'HubUnavailable':
      return 503; // background not (yet) published, or the sidecar is not reachable
    case 'ProviderGone': return 502;
    case 'Timeout': return 504;
    default: return 500;
  }
}

function errorBody(err) {
  return {error: {name: err.name || 'Error', message: err.message, code: err.code ?? null, source: err.source || 'web'}};
}

function send(res, status, type, body, headers = {}) {
  counters.byStatus[status] = (counters.byStatus[status] || 0) + 1;
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body, null, 2) + '\n');
  // x-served-by: which replica answered (calls through the Service are spread over them).
  res.writeHead(status, {'content-type': type, 'content-length': buf.length, 'cache-control': 'no-store',
    'x-served-by': os.hostname(), ...headers});
  res.end(buf);
}

const json = (res, status, body) => send(res, status, 'application/json; charset=utf-8', body);
const html = (res, body) => send(res, 200, 'text/html; charset=utf-8', body);

function numberParam(q, name) {
  if (!q.has(name)) return undefined;
  const n = Number(q.get(name));
  if (!Number.isFinite(n)) {
    const e = new TypeError(`query parameter ${name} must be a number, got '${q.get(name)}'`);
    e.code = 'ERR_BAD_PARAM';
    throw e;
  }
  return n;
}

async function snapshot(req, res, q) {
  let call;
  try {
    call = {
      width: numberParam(q, 'width'),
      height: numberParam(q, 'height'),
      quality: numberParam(q, 'quality'),
      timeoutMs: numberParam(q, 'timeoutMs') ?? timeoutMs,
    };
  } catch (err) {
    return json(res, 400, errorBody(err));
  }
  const url = q.has('url') ? q.get('url') : defaultUrl;
  // The remote take() has its own deadline (timeoutMs); the hub's per-call timeout is the backstop.
  const pageSnapshot = hub.getProxy('pageSnapshot', {timeout: Math.min(call.timeoutMs, 120000) + 5000});
  const t0 = Date.now();
  try {
    const r = await pageSnapshot.take(url, call);
    const jpeg = Buffer.from(r.base64, 'base64');
    counters.snapshots++;
    log.info('snapshot', {url: r.url, bytes: jpeg.length, ms: Date.now() - t0, renderMs: r.tookMs});
    send(res, 200, 'image/jpeg', jpeg, {
      'x-snapshot-url': encodeURI(r.url), 'x-snapshot-ms': String(r.tookMs), 'x-snapshot-status': String(r.status ?? ''),
    });
  } catch (err) {
    counters.snapshotErrors++;
    const status = statusOf(err);
    log.warn('snapshot failed', {url: String(url).slice(0, 200), status, name: err.name, code: err.code, source: err.source, error: err.message});
    json(res, status, errorBody(err));
  }
}

async function stats(res) {
  const [background, agent] = await Promise.allSettled([
    hub.getProxy('snapshotStats', {timeout: 5000}).get(), // published at run time by background
    hub.getProxy('stats', {timeout: 5000}).report(), // published by the agent
  ]);
  const web = {...counters, byStatus: {...counters.byStatus}, uptimeS: Math.round((Date.now() - started) / 1000),
    pod: process.env.PROCGROUP_POD_NAME || null, podIP, defaultUrl};
  const part = (r) => (r.status === 'fulfilled' ? r.value : errorBody(r.reason));
  json(res, background.status === 'fulfilled' ? 200 : statusOf(background.reason),
    {web, snapshotStats: part(background), agent: part(agent)});
}

function formPage() {
  return `<!doctype html><html><head><meta charset="utf-8"><title>page-snapshot</title></head>
<body style="font-family:sans-serif;max-width:52em;margin:2em auto">
<h1>page-snapshot</h1>
<p>Pandora.js's page-snapshot example on Procgroup: <code>web</code> calls <code>pageSnapshot.take(url)</code>
published by <code>background</code> (headless Chromium) through the hub.</p>
<form action="/snapshot" method="get">
  <input name="url" size="60" value="${escapeHtml(defaultUrl)}">
  <input name="width" size="5" value="1280"> x <input name="height" size="5" value="800">
  <button type="submit">Snapshot</button>
</form>
<p><a href="/stats">/stats</a> &middot; <a href="/page">/page</a> (the default target)</p>
</body></html>`;
}

function demoPage() {
  const bars = [42, 77, 58, 93, 66, 31, 85].map((h, i) =>
    `<rect x="${20 + i * 60}" y="${220 - h * 2}" width="40" height="${h * 2}" fill="hsl(${i * 45},70%,50%)"/>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Procgroup demo page</title>
<style>
  html,body{min-height:100vh}body{margin:0;font-family:'DejaVu Sans',sans-serif;background:linear-gradient(135deg,#14324a,#2a7f62);color:#fff}
  main{padding:48px 64px} h1{font-size:56px;margin:0 0 8px} p{font-size:22px;opacity:.9}
  .card{background:rgba(255,255,255,.12);border-radius:16px;padding:24px;display:inline-block;margin-top:16px}
</style></head>
<body><main>
<h1>Hello from ${escapeHtml(process.env.PROCGROUP_GROUP || 'page-snapshot')}</h1>
<p>Served by process <b>web</b> in pod <b>${escapeHtml(process.env.PROCGROUP_POD_NAME || 'local')}</b> (${escapeHtml(podIP)}),
rendered by Chromium in process <b>background</b>, at ${new Date().toISOString()}.</p>
<div class="card"><svg width="460" height="240" viewBox="0 0 460 240">${bars}
<line x1="10" y1="221" x2="450" y2="221" stroke="#fff" stroke-width="2"/></svg></div>
</main></body></html>`;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}

const server = http.createServer(async (req, res) => {
  counters.requests++;
  const u = new URL(req.url, 'http://localhost');
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, {error: {name: 'MethodNotAllowed', message: `${req.method} is not supported`}});
    switch (u.pathname) {
      case '/healthz': return json(res, 200, {ok: true});
      case '/favicon.ico': return send(res, 204, 'image/x-icon', Buffer.alloc(0)); // Chromium asks for it on every /page
      case '/': return html(res, formPage());
      case '/page': return html(res, demoPage());
      case '/snapshot': return await snapshot(req, res, u.searchParams);
      case '/stats': return await stats(res);
      default: return json(res, 404, {error: {name: 'NotFound', message: `no route ${u.pathname}`}});
    }
  } catch (err) {
    log.error('request failed', {path: u.pathname, error: err.message});
    if (!res.headersSent) json(res, 500, errorBody(err));
    else res.destroy();
  }
});
server.keepAliveTimeout = 5000;

server.listen(port, '0.0.0.0', () => log.info('listening', {port, defaultUrl, timeoutMs}));
server.on('error', (err) => {
  log.error('server error', {error: err.message});
  process.exit(1);
});

onShutdown(log, async () => {
  await new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections();
  });
  await hub.close();
});

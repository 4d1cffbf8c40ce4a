'use strict';

// A one-pod stand-in for the sidecar's app-facing API (PROTOCOL.md), for unit tests only: it lets the
// client's own logic be tested fast and in isolation. Acceptance tests run against the real sidecar
// (test/integration/).

const http = require('node:http');
const {WebSocketServer} = require('ws');

class StubHub {
  constructor() {
    this.providers = new Map(); // object -> {ws, methods}
    this.subscribers = new Map(); // event -> Set<ws>
    this.pending = new Map(); // id -> {res, timer, ws}
    this.frames = []; // every frame received, for assertions
    this.rejectNames = new Set(); // publishes of these names are answered with `rejected`
    this.nextId = 1;
    this.sockets = new Set();
  }

  async start(port = 0) {
    this.server = http.createServer((req, res) => this._http(req, res));
    this.wss = new WebSocketServer({noServer: true});
    this.server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/v1/connect') return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this._ws(ws));
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = this.server.address().port;
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  /** Stops like a crashed sidecar: every connection dropped. */
  async stop() {
    for (const ws of this.wss.clients) ws.terminate();
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
    this.providers.clear();
    this.subscribers.clear();
  }

  _ws(ws) {
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      this.frames.push(f);
      switch (f.op) {
        case 'publish':
          if (this.rejectNames.has(f.object)) {
            return ws.send(JSON.stringify({op: 'rejected', reason: 'refused by the test', frame: f}));
          }
          this.providers.set(f.object, {ws, methods: f.methods, properties: f.properties});
          return ws.send(JSON.stringify({op: 'published', object: f.object}));
        case 'unpublish':
          this.providers.delete(f.object);
          return ws.send(JSON.stringify({op: 'unpublished', object: f.object}));
        case 'subscribe':
          if (!this.subscribers.has(f.event)) this.subscribers.set(f.event, new Set());
          this.subscribers.get(f.event).add(ws);
          return ws.send(JSON.stringify({op: 'subscribed', event: f.event}));
        case 'unsubscribe':
          this.subscribers.get(f.event)?.delete(ws);
          return ws.send(JSON.stringify({op: 'unsubscribed', event: f.event}));
        case 'result':
        case 'error': {
          const p = this.pending.get(f.id);
          if (!p) return;
          this.pending.delete(f.id);
          clearTimeout(p.timer);
          if (f.op === 'result') return send(p.res, 200, {result: f.result});
          p.res.setHeader('Procgroup-Error', 'remote');
          return send(p.res, 500, {error: {...f.error, source: 'remote'}});
        }
        default:
          return ws.send(JSON.stringify({op: 'rejected', reason: 'unknown op', frame: f}));
      }
    });
    ws.on('close', () => {
      for (const [name, p] of this.providers) if (p.ws === ws) this.providers.delete(name);
      for (const set of this.subscribers.values()) set.delete(ws);
      for (const [id, p] of this.pending) {
        if (p.ws !== ws) continue;
        this.pending.delete(id);
        clearTimeout(p.timer);
        send(p.res, 502, hubErr('ProviderGone', 'the provider disconnected'));
      }
    });
  }

  async _http(req, res) {
    let body = '';
    for await (const chunk of req) body += chunk;
    this.lastRequest = {method: req.method, url: req.url, headers: req.headers, body};
    const m = req.url.match(/^\/v1\/invoke\/([^/]+)\/([^/]+)$/);
    if (req.method === 'POST' && m) {
      const [object, method] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      let args;
      try {
        args = JSON.parse(body);
      } catch (_) {
        return send(res, 400, hubErr('BadRequest', 'malformed JSON'));
      }
      if (!Array.isArray(args)) return send(res, 400, hubErr('BadRequest', 'args must be an array'));
      const p = this.providers.get(object);
      if (!p) return send(res, 404, hubErr('ObjectNotFound', `no provider of ${object}`));
      if (!p.methods.includes(method)) return send(res, 404, hubErr('MethodNotFound', `${object} has no ${method}`));
      const timeoutMs = Number(req.headers['procgroup-timeout-ms'] || 30000);
      const id = String(this.nextId++);
      const timer = setTimeout(() => {
        this.pending.delete(id);
        send(res, 504, hubErr('Timeout', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {res, timer, ws: p.ws});
      return p.ws.send(JSON.stringify({op: 'invoke', id, object, method, args, timeoutMs}));
    }
    const e = req.url.match(/^\/v1\/events\/([^/]+)$/);
    if (req.method === 'POST' && e) {
      const event = decodeURIComponent(e[1]);
      const subs = this.subscribers.get(event) || new Set();
      const frame = JSON.stringify({op: 'event', event, data: JSON.parse(body), from: {pod: 'stub-pod', process: 'stub'}});
      for (const ws of subs) ws.send(frame);
      return send(res, 202, {delivered: subs.size});
    }
    if (req.method === 'GET' && req.url === '/v1/context') {
      return send(res, 200, {group: 'shop', process: 'web', namespace: 'default', pod: 'shop-web-1', podIP: '10.0.0.7'});
    }
    const objects = [...this.providers].map(([name, p]) => ({name, methods: p.methods, properties: p.properties || [],
      providers: [{pod: 'stub-pod', process: 'stub', local: true, ready: true}]}));
    if (req.method === 'GET' && req.url === '/v1/objects') return send(res, 200, {objects});
    const o = req.url.match(/^\/v1\/objects\/([^/]+)$/);
    if (req.method === 'GET' && o) {
      const found = objects.find((x) => x.name === decodeURIComponent(o[1]));
      return found ? send(res, 200, found) : send(res, 404, hubErr('ObjectNotFound', `no provider of ${o[1]}`));
    }
    send(res, 404, hubErr('NotFound', req.url));
  }
}

function hubErr(name, message) {
  return {error: {name, message, code: null, source: 'hub'}};
}

function send(res, status, body) {
  if (res.headersSent) return;
  res.writeHead(status, {'content-type': 'application/json'});
  res.end(JSON.stringify(body));
}

module.exports = {StubHub};

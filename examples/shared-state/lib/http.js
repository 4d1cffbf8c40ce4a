'use strict';

// The web tier's HTTP API over the shared store. Every answer names the replica that gave it (`servedBy`
// and the x-served-by header), so a caller sees that state written through one replica is read through another.
//
//   GET    /healthz            200 once Redis answers PING, else 503 (the readiness probe)
//   POST   /counters/<name>    increment: {name, value, servedBy}
//   GET    /counters/<name>    read:      {name, value, servedBy} (0 for a counter never incremented)
//   POST   /session            body: a JSON object; 201 {id, data, createdBy, ...} + Set-Cookie: sid=<id>
//   GET    /session            the cookie's session, its views counted: 200, or 404 (none, or expired)
//   DELETE /session            204, the session is gone from every replica

const {InvalidInput} = require('./store');

const MAX_BODY = 8192;
const COOKIE = 'sid';

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The value of cookie `name` in a Cookie header, or undefined. */
function cookie(header, name) {
  for (const part of (header || '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sessionCookie(id, maxAgeSeconds) {
  return `${COOKIE}=${id}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax`;
}

async function jsonBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}

function segment(raw) {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'the path is not valid percent-encoding');
  }
}

/** HTTP status of a failure: ours by their kind, anything from the Redis client (down, timed out) is 503. */
function statusOf(err) {
  if (err instanceof HttpError) return err.status;
  if (err instanceof InvalidInput) return 400;
  return 503;
}

/**
 * @param {import('./store').SharedStore} store
 * @param {{replica: string, sessionTtlSeconds: number, log?: (msg: string) => void}} opts
 */
function createHandler(store, {replica, sessionTtlSeconds, log = () => {}}) {
  const send = (res, status, body, headers = {}) => {
    const buf = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body) + '\n');
    res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': buf.length,
      'cache-control': 'no-store', 'x-served-by': replica, ...headers});
    res.end(buf);
  };

  const routes = {
    async healthz() {
      await store.ping();
      return [200, {redis: 'ok', servedBy: replica}];
    },
    async counter(req, name) {
      if (req.method === 'POST') return [200, {name, value: await store.increment(name), servedBy: replica}];
      if (req.method === 'GET') return [200, {name, value: await store.counter(name), servedBy: replica}];
      throw new HttpError(405, `${req.method} /counters/<name>: use GET or POST`);
    },
    async session(req) {
      const id = cookie(req.headers.cookie, COOKIE);
      if (req.method === 'POST') {
        const s = await store.createSession(await jsonBody(req));
        return [201, {...s, servedBy: replica}, {'set-cookie': sessionCookie(s.id, sessionTtlSeconds)}];
      }
      if (req.method === 'GET') {
        const s = id === undefined ? null : await store.session(id);
        if (s === null) throw new HttpError(404, id === undefined ? 'no session cookie' : 'no such session (expired or ended)');
        return [200, {...s, servedBy: replica}];
      }
      if (req.method === 'DELETE') {
        if (id !== undefined) await store.endSession(id);
        return [204, undefined, {'set-cookie': sessionCookie('', 0)}];
      }
      throw new HttpError(405, `${req.method} /session: use GET, POST or DELETE`);
    },
  };

  return async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    try {
      let answer;
      if (path === '/healthz' && req.method === 'GET') answer = await routes.healthz();
      else if (path.startsWith('/counters/')) answer = await routes.counter(req, segment(path.slice('/counters/'.length)));
      else if (path === '/session') answer = await routes.session(req);
      else throw new HttpError(404, `no route ${req.method} ${path}`);
      send(res, ...answer);
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) log(`${req.method} ${path}: ${err.name}: ${err.message}`);
      send(res, status, {error: {message: status === 503 ? `redis: ${err.message}` : err.message}, servedBy: replica});
    }
  };
}

module.exports = {createHandler, cookie, sessionCookie, statusOf, HttpError};

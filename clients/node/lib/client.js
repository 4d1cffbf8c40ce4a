'use strict';

const {EventEmitter} = require('node:events');
const WebSocket = require('ws');
const {HubError, hubError, toWireError} = require('./errors');

const DEFAULT_URL = 'http://127.0.0.1:7070';
const OBJECT_NAME = /^[A-Za-z_$][A-Za-z0-9_$.-]{0,127}$/;
const METHOD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;
const HUB_DEFAULT_TIMEOUT_MS = 30000; // the sidecar's default when no Procgroup-Timeout-Ms is sent
const MAX_TIMEOUT_MS = 600000;
// The sidecar answers 504 itself at the deadline; the client waits this much longer before giving up
// on its own, so a dead or wedged sidecar cannot hang a caller (Pandora could hang them forever).
const CLIENT_GRACE_MS = 2000;
// The sidecar closes a WebSocket whose message exceeds its body limit (PROCGROUP_MAX_BODY_BYTES, 1 MiB by
// default), which would unpublish everything this process serves. An oversized result fails just its call.
const DEFAULT_MAX_FRAME_BYTES = 1 << 20;
// Properties the runtime probes on any object; answering them with remote calls would fire calls by surprise.
const NOT_REMOTE = new Set(['then', 'toJSON', 'valueOf', 'constructor', 'inspect']);

/** Pandora's ObjectDescription `{name, tag}` becomes the hub name `name.tag` (':' is not a valid hub name character). */
function objectId(desc) {
  if (typeof desc === 'string') return desc;
  if (desc && typeof desc.name === 'string') return desc.tag ? `${desc.name}.${desc.tag}` : desc.name;
  throw new TypeError('object name must be a string or {name, tag}');
}

/** Every callable own or inherited method name of `obj` (as Pandora's introspection), minus Object's builtins. */
function methodNames(obj) {
  const names = new Set();
  for (let o = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === 'constructor' || !METHOD_NAME.test(key)) continue;
      const d = Object.getOwnPropertyDescriptor(o, key);
      // Only data properties: reading an accessor here would run user code at publish time.
      if (d && typeof d.value === 'function') names.add(key);
    }
  }
  return [...names];
}

/** The sidecar names events like objects (e.g. `cache.flush`); a bad one would only come back as an async `rejected`. */
function checkEvent(event) {
  if (typeof event !== 'string' || !OBJECT_NAME.test(event)) {
    throw new TypeError(`invalid event name '${event}' (hub event names match ${OBJECT_NAME})`);
  }
}

/** Percent-encodes a path segment, keeping '$' (legal in paths and in hub names) as is. */
function segment(s) {
  return encodeURIComponent(s).replace(/%24/g, '$');
}

function timeoutOf(options) {
  const t = options && options.timeout;
  if (t === undefined || t === null) return undefined;
  if (typeof t !== 'number' || !(t > 0)) throw new TypeError(`timeout must be a positive number of ms, got ${t}`);
  return Math.min(Math.ceil(t), MAX_TIMEOUT_MS);
}

/**
 * One process's connection to its pod's hub sidecar (Pandora's HubClient). Calls (`invoke`, proxies,
 * `broadcast`, `context`) are plain HTTP; publishing and subscribing use one WebSocket (`/v1/connect`),
 * opened on first need and reopened after the sidecar restarts, re-sending every publish and subscribe.
 *
 * Events: 'connect' (each time the WebSocket opens), 'disconnect', 'error' (only if listened to),
 * 'handlerError' (a subscriber threw).
 */
class HubClient extends EventEmitter {
  constructor(options = {}) {
    super();
    this.url = (options.url || process.env.PROCGROUP_HUB_URL || DEFAULT_URL).replace(/\/+$/, '');
    this.wsUrl = this.url.replace(/^http/, 'ws') + '/v1/connect';
    this.ackTimeout = options.ackTimeout || 10000;
    this.reconnectMin = options.reconnectMin || 100;
    this.reconnectMax = options.reconnectMax || 2000;
    this.maxFrameBytes = options.maxFrameBytes || DEFAULT_MAX_FRAME_BYTES;
    this.logger = options.logger || console;
    this.objects = new Map(); // hub name -> {impl, methods}
    this.handlers = new Map(); // event -> Set<handler>
    this.acks = new Map(); // 'published:name' | 'unpublished:name' -> [{resolve, reject, timer}]
    this.ws = null;
    this.closed = false;
    this.reconnectDelay = this.reconnectMin;
    this.reconnectTimer = null;
  }

  /** Pandora compatibility: `getHub().getHubClient()`. */
  getHubClient() {
    return this;
  }

  // ---------------------------------------------------------------- calls (HTTP)

  /**
   * Calls `object.method(...args)` wherever it is published in the group. Resolves with the result,
   * rejects with a HubError. options: {timeout (ms), process (pin to providers of this process)}.
   */
  async invoke(object, method, args = [], options = {}) {
    const timeout = timeoutOf(options);
    const headers = {'content-type': 'application/json'};
    if (timeout !== undefined) headers['procgroup-timeout-ms'] = String(timeout);
    if (options.process) headers['procgroup-process'] = String(options.process);
    const path = `/v1/invoke/${segment(objectId(object))}/${segment(method)}`;
    const body = await this._request('POST', path, args, headers, (timeout || HUB_DEFAULT_TIMEOUT_MS) + CLIENT_GRACE_MS);
    return body.result === undefined ? null : body.result;
  }

  /**
   * A proxy whose every method is an async remote call (Pandora's getProxy). Returned directly, and
   * not a thenable, so Pandora's `await getProxy(...)` and a plain `getProxy(...)` both work. It does
   * not introspect: the object may be published later (processes start in order), and a missing one
   * fails per call with ObjectNotFound.
   */
  getProxy(object, options = {}) {
    const name = objectId(object);
    timeoutOf(options); // fail fast on a bad timeout, not on the first call
    const opts = {timeout: options.timeout, process: options.process};
    const methods = new Map();
    return new Proxy(Object.create(null), {
      get: (_target, prop) => {
        // Not remote: 'then' (so await works), symbols (inspect, iterators), JSON and string conversion.
        if (typeof prop !== 'string' || NOT_REMOTE.has(prop)) return undefined;
        if (prop === 'toString') return () => `HubProxy[${name}]`;
        if (prop === 'getProperty') {
          return async (p) => {
            throw hubError('NotSupported', `the hub publishes methods only; '${p}' of ${name} is a property`);
          };
        }
        let fn = methods.get(prop);
        if (!fn) {
          fn = (...args) => this.invoke(name, prop, args, opts);
          methods.set(prop, fn);
        }
        return fn;
      },
      set: () => false,
      has: () => false,
    });
  }

  /** Broadcasts `data` to every subscriber of `event` in the group; resolves with how many were reached. */
  async broadcast(event, data = null) {
    checkEvent(event);
    const body = await this._request('POST', `/v1/events/${segment(event)}`, data === undefined ? null : data,
      {'content-type': 'application/json'}, HUB_DEFAULT_TIMEOUT_MS);
    return body.delivered;
  }

  /** The process's identity: the sidecar's `GET /v1/context`, filled from the env where it is missing. */
  async context() {
    const ctx = await this._request('GET', '/v1/context', undefined, {}, HUB_DEFAULT_TIMEOUT_MS);
    const env = process.env;
    return {
      ...ctx,
      group: ctx.group ?? env.PROCGROUP_GROUP ?? null,
      process: ctx.process ?? env.PROCGROUP_PROCESS ?? null,
      namespace: ctx.namespace ?? env.PROCGROUP_NAMESPACE ?? null,
      pod: ctx.pod ?? env.PROCGROUP_POD_NAME ?? null,
      podIP: ctx.podIP ?? null,
    };
  }

  /** Everything published in the group (`GET /v1/objects`). */
  async listObjects() {
    return (await this._request('GET', '/v1/objects', undefined, {}, HUB_DEFAULT_TIMEOUT_MS)).objects;
  }

  async _request(method, path, json, headers, clientTimeoutMs) {
    let res;
    try {
      res = await fetch(this.url + path, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(clientTimeoutMs),
      });
    } catch (err) {
      if (err.name === 'TimeoutError') {
        throw hubError('Timeout', `the hub sidecar did not answer ${method} ${path} within ${clientTimeoutMs} ms`, 'CLIENT_TIMEOUT');
      }
      const cause = err.cause || err;
      throw hubError('HubUnavailable', `cannot reach the hub sidecar at ${this.url}: ${cause.message}`, cause.code || null);
    }
    const text = await res.text();
    let body;
    try {
      body = text ? JSON.parse(text) : {};
    } catch (_) {
      throw hubError('BadResponse', `the hub answered ${res.status} with non-JSON: ${text.slice(0, 200)}`, null, res.status);
    }
    if (res.ok) return body;
    const e = body && body.error;
    if (e && typeof e === 'object') throw new HubError(e, res.status);
    throw hubError('BadResponse', `the hub answered ${res.status} without an error body`, null, res.status);
  }

  // ---------------------------------------------------------------- publishing (WebSocket)

  /**
   * Publishes every method of `impl` (own and inherited) under `name` ({name, tag} accepted); a class is
   * instantiated first, as Pandora did. Resolves when the hub has acknowledged it to the group.
   */
  async publishObject(name, impl) {
    this._checkNotClosed();
    const id = objectId(name);
    if (!OBJECT_NAME.test(id)) throw new TypeError(`invalid object name '${id}' (hub names match ${OBJECT_NAME})`);
    if (this.objects.has(id)) throw new Error(`object called ${id} already exist`); // Pandora's message
    if (typeof impl === 'function') impl = new impl(); // eslint-disable-line new-cap
    if (!impl || typeof impl !== 'object') throw new TypeError('publishObject needs an object or a class');
    const methods = methodNames(impl);
    this.objects.set(id, {impl, methods});
    const ack = this._awaitAck(`published:${id}`);
    this._send({op: 'publish', object: id, methods});
    try {
      await ack;
    } catch (err) {
      if (this.objects.get(id)?.impl === impl) this.objects.delete(id);
      throw err;
    }
  }

  /** Withdraws an object published by this process. */
  async unpublish(name) {
    const id = objectId(name);
    if (!this.objects.delete(id)) return;
    if (!this._isOpen()) return; // nothing is published on a closed connection
    const ack = this._awaitAck(`unpublished:${id}`);
    this._send({op: 'unpublish', object: id});
    await ack;
  }

  /**
   * Calls `handler(data, from)` for every `event` broadcast in the group. Resolves once the subscribe
   * frame is sent (the protocol has no acknowledgement for it).
   */
  async subscribe(event, handler) {
    checkEvent(event);
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this._checkNotClosed();
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    if (set.size > 1) return;
    try {
      await this._sendWhenOpen({op: 'subscribe', event});
    } catch (err) {
      await this.unsubscribe(event, handler); // not subscribed: let the caller retry cleanly
      throw err;
    }
  }

  /** Removes one handler, or every handler of `event` when none is given. */
  async unsubscribe(event, handler) {
    const set = this.handlers.get(event);
    if (!set) return;
    if (handler) set.delete(handler);
    else set.clear();
    if (set.size === 0) {
      this.handlers.delete(event);
      if (this._isOpen()) this._send({op: 'unsubscribe', event});
    }
  }

  /** Closes the WebSocket (the hub unpublishes everything this process published) and stops reconnecting. */
  async close() {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const err = hubError('Closed', 'the hub client was closed');
    for (const key of [...this.acks.keys()]) this._settleAcks(key, err);
    this.emit('closed');
    this.objects.clear();
    this.handlers.clear();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise((resolve) => {
        ws.once('close', resolve);
        ws.close();
      });
    }
  }

  _isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends now if open; otherwise the frame is implied by state and re-sent by `_onOpen`. */
  _send(frame) {
    if (this._isOpen()) this.ws.send(JSON.stringify(frame));
    else this._connect();
  }

  _checkNotClosed() {
    if (this.closed) throw hubError('Closed', 'the hub client was closed');
  }

  /** Sends `frame` now, or waits (up to ackTimeout) for the connection, whose opening sends it with the rest of the state. */
  async _sendWhenOpen(frame) {
    if (this._isOpen()) {
      this.ws.send(JSON.stringify(frame));
      return;
    }
    this._connect();
    await new Promise((resolve, reject) => {
      const done = (err) => {
        clearTimeout(timer);
        this.off('connect', onConnect);
        this.off('closed', onClosed);
        if (err) reject(err);
        else resolve();
      };
      const onConnect = () => done();
      const onClosed = () => done(hubError('Closed', 'the hub client was closed'));
      const timer = setTimeout(() => done(hubError('Timeout', `no connection to the hub at ${this.url} within ${this.ackTimeout} ms`,
        'ACK_TIMEOUT')), this.ackTimeout);
      this.once('connect', onConnect);
      this.once('closed', onClosed);
    });
  }

  _awaitAck(key) {
    return new Promise((resolve, reject) => {
      const entry = {resolve, reject};
      entry.timer = setTimeout(() => {
        this._removeAck(key, entry);
        reject(hubError('Timeout', `the hub did not acknowledge ${key} within ${this.ackTimeout} ms`, 'ACK_TIMEOUT'));
      }, this.ackTimeout);
      const list = this.acks.get(key) || [];
      list.push(entry);
      this.acks.set(key, list);
    });
  }

  _removeAck(key, entry) {
    const list = this.acks.get(key);
    if (!list) return;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.acks.delete(key);
  }

  _settleAcks(key, err) {
    const list = this.acks.get(key);
    if (!list) return;
    this.acks.delete(key);
    for (const entry of list) {
      clearTimeout(entry.timer);
      if (err) entry.reject(err);
      else entry.resolve();
    }
  }

  _connect() {
    if (this.closed || this.ws || this.reconnectTimer) return;
    const ws = new WebSocket(this.wsUrl, {perMessageDeflate: false});
    this.ws = ws;
    ws.on('open', () => this._onOpen(ws));
    ws.on('message', (data) => this._onFrame(ws, data));
    ws.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    ws.on('close', () => this._onClose(ws));
  }

  _onOpen(ws) {
    this.reconnectDelay = this.reconnectMin;
    // Re-publish and re-subscribe: after a sidecar restart the new one knows nothing of this process.
    for (const [object, {methods}] of this.objects) ws.send(JSON.stringify({op: 'publish', object, methods}));
    for (const event of this.handlers.keys()) ws.send(JSON.stringify({op: 'subscribe', event}));
    this.emit('connect');
  }

  _onClose(ws) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.emit('disconnect');
    if (this.closed || (this.objects.size === 0 && this.handlers.size === 0 && this.acks.size === 0)) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this._connect();
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.reconnectMax);
  }

  _onFrame(ws, data) {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch (err) {
      this.logger.error('[procgroup-hub] unparsable frame from the sidecar', err);
      return;
    }
    switch (frame.op) {
      case 'invoke': return this._onInvoke(ws, frame);
      case 'event': return this._onEvent(frame);
      case 'published': return this._settleAcks(`published:${frame.object}`);
      case 'unpublished': return this._settleAcks(`unpublished:${frame.object}`);
      case 'rejected': return this._onRejected(frame);
      default: this.logger.error(`[procgroup-hub] unknown frame op '${frame.op}'`);
    }
  }

  _onRejected(frame) {
    const f = frame.frame || {};
    const err = hubError('Rejected', `the hub rejected ${JSON.stringify(f)}: ${frame.reason}`);
    if (f.op === 'publish' || f.op === 'unpublish') {
      if (f.op === 'publish') this.objects.delete(f.object);
      this._settleAcks(`${f.op}ed:${f.object}`, err);
    } else {
      this.logger.error(`[procgroup-hub] ${err.message}`);
    }
  }

  async _onInvoke(ws, {id, object, method, args}) {
    const entry = this.objects.get(object);
    let reply;
    try {
      // Only published names are callable: never let a remote caller reach `__proto__` and friends.
      if (!entry) throw Object.assign(new Error(`object ${object} is not published by this process`), {name: 'ObjectNotFound'});
      if (!entry.methods.includes(method)) throw Object.assign(new Error(`${object} has no method ${method}`), {name: 'MethodNotFound'});
      const result = await entry.impl[method](...(Array.isArray(args) ? args : []));
      reply = JSON.stringify({op: 'result', id, result: result === undefined ? null : result});
      const size = Buffer.byteLength(reply);
      if (size > this.maxFrameBytes) {
        throw Object.assign(new Error(`the result of ${object}.${method} is ${size} bytes, over the hub's ${this.maxFrameBytes}-byte frame limit`),
          {name: 'PayloadTooLarge'});
      }
    } catch (err) {
      reply = JSON.stringify({op: 'error', id, error: toWireError(err)});
    }
    // The answer goes back on the connection that asked; if it has closed, the hub failed the call already.
    if (ws.readyState === WebSocket.OPEN) ws.send(reply);
  }

  _onEvent({event, data, from}) {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        const r = handler(data, from);
        if (r && typeof r.catch === 'function') r.catch((err) => this._handlerError(event, err));
      } catch (err) {
        this._handlerError(event, err);
      }
    }
  }

  _handlerError(event, err) {
    if (this.listenerCount('handlerError') > 0) this.emit('handlerError', err, event);
    else this.logger.error(`[procgroup-hub] subscriber of '${event}' threw`, err);
  }
}

module.exports = {HubClient, objectId, methodNames, OBJECT_NAME, METHOD_NAME, DEFAULT_URL};

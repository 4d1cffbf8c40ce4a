'use strict';

const {EventEmitter} = require('node:events');
const {LIMITS, HEADERS} = require('./rules');
const {HubError} = require('./errors');
const {Transport, segment} = require('./transport');
const {Publisher} = require('./publisher');
const {Events} = require('./events');
const {ObjectConsumer, lazyProxy, objectId} = require('./proxy');
const {SelectorClient} = require('./selector-client');
const {addTraceHeaders} = require('./trace');

const DEFAULT_URL = 'http://127.0.0.1:7070';
// The sidecar answers 504 itself at the deadline; the client waits this much longer before giving up
// on its own, so a dead or wedged sidecar cannot hang a caller (Pandora could hang them forever).
const CLIENT_GRACE_MS = 2000;

function timeoutOf(options) {
  const t = options && options.timeout;
  if (t === undefined || t === null) return undefined;
  if (typeof t !== 'number' || !(t > 0)) throw new TypeError(`timeout must be a positive number of ms, got ${t}`);
  return Math.min(Math.ceil(t), LIMITS.maxTimeoutMs);
}

function callHeaders(options) {
  const headers = {};
  const timeout = timeoutOf(options);
  if (timeout !== undefined) headers[HEADERS.timeout] = String(timeout);
  if (options && options.process) headers[HEADERS.process] = String(options.process);
  if (options && options.pod) headers[HEADERS.pod] = String(options.pod);
  addTraceHeaders(headers, options);
  return {headers, clientTimeoutMs: (timeout || LIMITS.defaultTimeoutMs) + CLIENT_GRACE_MS};
}

/**
 * One process's hub (Pandora's `getHub()` facade): publish, proxies and consumers, the selector-routed HubClient
 * (`getHubClient()`), group events and the pod's context. Emits 'connect' (each time its WebSocket opens),
 * 'disconnect', 'closed', 'handlerError' (a subscriber threw) and 'error' (only when listened to).
 */
class Hub extends EventEmitter {
  constructor(options = {}) {
    super();
    this.url = (options.url || process.env.PROCGROUP_HUB_URL || DEFAULT_URL).replace(/\/+$/, '');
    this.logger = options.logger || console;
    this.transport = new Transport({
      url: this.url,
      ackTimeout: options.ackTimeout || 10000,
      reconnectMin: options.reconnectMin || 100,
      reconnectMax: options.reconnectMax || 2000,
      logger: this.logger,
      replay: (send) => [...this.publisher.frames(), ...this.events.frames()].forEach(send),
      wanted: () => this.publisher.objects.size > 0 || this.events.handlers.size > 0,
    });
    this.transport.on('open', () => this.emit('connect'));
    this.transport.on('close', () => this.emit('disconnect'));
    this.transport.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    this.events = new Events(this.transport, {
      defaultTimeoutMs: LIMITS.defaultTimeoutMs,
      onHandlerError: (event, err) => {
        if (this.listenerCount('handlerError') > 0) this.emit('handlerError', err, event);
        else this.logger.error(`[procgroup-hub] subscriber of '${event}' threw`, err);
      },
    });
    this.publisher = new Publisher(this.transport, {
      maxFrameBytes: options.maxFrameBytes || LIMITS.maxBodyBytes,
      onAction: (action, message, entry) => this.getHubClient().dispatch(action, message, entry),
      broadcast: (event, data) => this.events.broadcast(event, data),
    });
    this.selectorClient = null;
    this.here = null;
  }

  // ---------------------------------------------------------------- Pandora's facade

  /** Pandora's `getHub().publish(impl, {name, tag})`. */
  publish(impl, desc) {
    return this.publishObject(desc, impl);
  }

  /** Pandora's top-level publishObject(name | {name, tag}, impl): resolves when the group can see it. */
  publishObject(desc, impl) {
    return this.publisher.publish(objectId(desc), impl);
  }

  /** Withdraws an object published by this process. */
  unpublish(desc) {
    return this.publisher.unpublish(objectId(desc));
  }

  /**
   * Pandora's getConsumer; options {timeout, process, pod}. A new consumer per call: Pandora cached one per name, so
   * the first caller's timeout won for everyone; here each call site's options hold.
   */
  getConsumer(desc, options = {}) {
    timeoutOf(options); // fail fast on a bad timeout, not on the first call
    return new ObjectConsumer(this, desc, {timeout: options.timeout, process: options.process, pod: options.pod});
  }

  /** Pandora's getProxy: a thenable resolving to the introspected proxy (see proxy.js lazyProxy). */
  getProxy(desc, options) {
    return lazyProxy(this.getConsumer(desc, options));
  }

  /** Pandora's selector-routed HubClient. */
  getHubClient() {
    if (!this.selectorClient) this.selectorClient = new SelectorClient(this);
    return this.selectorClient;
  }

  // ---------------------------------------------------------------- calls (HTTP)

  /** `object.method(...args)` wherever it is published; options {timeout (ms), process, pod} pin providers. */
  async invoke(object, method, args = [], options = {}) {
    const {headers, clientTimeoutMs} = callHeaders(options);
    const body = await this.transport.request('POST', `/v1/invoke/${segment(objectId(object))}/${segment(method)}`,
      args, headers, clientTimeoutMs);
    return body.result === undefined ? null : body.result;
  }

  /** Every provider's answer (`Procgroup-Fanout: all`): `[{pod, process, result} | {pod, process, error}]`. */
  async invokeAll(object, method, args = [], options = {}) {
    const {headers, clientTimeoutMs} = callHeaders(options);
    headers[HEADERS.fanout] = 'all';
    const body = await this.transport.request('POST', `/v1/invoke/${segment(objectId(object))}/${segment(method)}`,
      args, headers, clientTimeoutMs);
    return body.replies.map((r) => (r.error ? {...r, error: new HubError(r.error)} : r));
  }

  /** The group's view of one object (`GET /v1/objects/{name}`): methods, properties, providers. */
  describe(object) {
    return this.transport.request('GET', `/v1/objects/${segment(objectId(object))}`, undefined, {}, LIMITS.defaultTimeoutMs);
  }

  /** Everything published in the group (`GET /v1/objects`). */
  async listObjects() {
    return (await this.transport.request('GET', '/v1/objects', undefined, {}, LIMITS.defaultTimeoutMs)).objects;
  }

  /** The process's identity: the sidecar's `GET /v1/context`, filled from the env where it is missing. */
  async context() {
    const ctx = await this.transport.request('GET', '/v1/context', undefined, {}, LIMITS.defaultTimeoutMs);
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

  /** Pandora's location of this process: `{appName, processName, clientId}` (the group, the process, the pod). */
  location() {
    if (!this.here) {
      this.here = this.context().then((c) => ({appName: c.group, processName: c.process, clientId: c.pod}),
        (err) => {
          this.here = null;
          throw err;
        });
    }
    return this.here;
  }

  // ---------------------------------------------------------------- group events

  subscribe(event, handler) {
    return this.events.subscribe(event, handler);
  }

  unsubscribe(event, handler) {
    return this.events.unsubscribe(event, handler);
  }

  broadcast(event, data) {
    return this.events.broadcast(event, data);
  }

  /** Closes the WebSocket (the hub unpublishes everything this process published) and stops reconnecting. */
  async close() {
    const closing = this.transport.close();
    this.emit('closed');
    this.publisher.objects.clear();
    this.events.handlers.clear();
    await closing;
  }
}

module.exports = {Hub, objectId, DEFAULT_URL};

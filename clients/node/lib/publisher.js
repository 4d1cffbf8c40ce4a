'use strict';

const {NAMES, PANDORA} = require('./rules');
const {toWireError} = require('./errors');
const {Transport} = require('./transport');
const trace = require('./trace');

// Pandora's introspection skips these: the proxy has its own subscribe/unsubscribe (object events), and a method
// called 'then' would make every awaited proxy call it.
const NOT_METHODS = new Set(['constructor', 'subscribe', 'unsubscribe', 'then']);
const RESERVED = [PANDORA.dispatchMethod, PANDORA.getPropertyMethod, PANDORA.subscribeMethod, PANDORA.unsubscribeMethod];

/** Own and inherited members of `obj` (Object's builtins excluded) with their descriptors, nearest first. */
function members(obj) {
  const out = new Map();
  for (let o = obj; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (!out.has(key) && NAMES.method.test(key)) out.set(key, Object.getOwnPropertyDescriptor(o, key));
    }
  }
  return out;
}

/** Every callable data member (as Pandora's introspection; getters are not run at publish time). */
function methodNames(obj) {
  return [...members(obj)].filter(([k, d]) => !NOT_METHODS.has(k) && typeof d.value === 'function').map(([k]) => k);
}

/** Data members that are not functions, and accessors: what `proxy.getProperty(name)` may read. */
function propertyNames(obj) {
  return [...members(obj)].filter(([k, d]) => !NOT_METHODS.has(k) && typeof d.value !== 'function').map(([k]) => k);
}

const failure = (name, message) => Object.assign(new Error(message), {name});

/**
 * What this process publishes, and the answers to the sidecar's `invoke` frames. Besides an object's own methods it
 * serves the reserved ones Pandora's hub API needs (rules.json "pandora"): `$getProperty`, `$subscribe` /
 * `$unsubscribe` (object events, when the object has subscribe/unsubscribe) and `$dispatch` (HubClient actions).
 */
class Publisher {
  constructor(transport, {maxFrameBytes, onAction, broadcast}) {
    this.transport = transport;
    this.maxFrameBytes = maxFrameBytes;
    this.onAction = onAction; // (action, message, object) => Promise<data>: a HubClient action arrived
    this.broadcast = broadcast; // (event, data) => Promise: how an object event leaves this process
    this.objects = new Map(); // hub name -> {impl, methods, properties, registers: Map<register, {count, cb}>}
    transport.on('frame', (frame, ws) => {
      if (frame.op === 'invoke') this._onInvoke(ws, frame);
    });
  }

  /** The publish frames, for the transport's replay. */
  frames() {
    return [...this.objects].map(([object, o]) => ({op: 'publish', object, methods: o.methods, properties: o.properties}));
  }

  has(id) {
    return this.objects.has(id);
  }

  /** Publishes `impl` (a class is instantiated first, as Pandora did); resolves when the group can see it. */
  async publish(id, impl) {
    this.transport.checkNotClosed();
    if (!NAMES.object.test(id)) throw new TypeError(`invalid object name '${id}' (hub names match ${NAMES.object})`);
    if (this.objects.has(id)) throw new Error(`object called ${id} already exist`); // Pandora's message
    if (typeof impl === 'function') impl = new impl(); // eslint-disable-line new-cap
    if (!impl || typeof impl !== 'object') throw new TypeError('publish needs an object or a class');
    const events = typeof impl.subscribe === 'function' && typeof impl.unsubscribe === 'function';
    const methods = [...methodNames(impl), PANDORA.dispatchMethod, PANDORA.getPropertyMethod,
      ...(events ? [PANDORA.subscribeMethod, PANDORA.unsubscribeMethod] : [])];
    const entry = {impl, methods, properties: propertyNames(impl), registers: new Map()};
    this.objects.set(id, entry);
    try {
      await this.transport.sendAndAwait({op: 'publish', object: id, methods, properties: entry.properties}, `published:${id}`);
    } catch (err) {
      if (this.objects.get(id) === entry) this.objects.delete(id);
      throw err;
    }
  }

  /** Withdraws an object published by this process (a no-op for others). */
  async unpublish(id) {
    if (!this.objects.delete(id)) return;
    if (!this.transport.isOpen()) return; // nothing is published on a closed connection
    await this.transport.sendAndAwait({op: 'unpublish', object: id}, `unpublished:${id}`);
  }

  async _onInvoke(ws, frame) {
    const {id, object, method, args} = frame;
    let reply;
    try {
      // The method runs in the context the frame carried (or none: not the context of whatever ran before).
      const result = await trace.storage.run(trace.fromFrame(frame),
        () => this._call(object, method, Array.isArray(args) ? args : []));
      reply = JSON.stringify({op: 'result', id, result: result === undefined ? null : result});
      const size = Buffer.byteLength(reply);
      if (size > this.maxFrameBytes) {
        // The sidecar would close the WebSocket (unpublishing everything) for one large answer.
        throw failure('PayloadTooLarge', `the result of ${object}.${method} is ${size} bytes, over the hub's ${this.maxFrameBytes}-byte frame limit`);
      }
    } catch (err) {
      reply = JSON.stringify({op: 'error', id, error: toWireError(err)});
    }
    Transport.reply(ws, reply);
  }

  _call(object, method, args) {
    const entry = this.objects.get(object);
    // Only published names are callable: never let a remote caller reach `__proto__` and friends.
    if (!entry) throw failure('ObjectNotFound', `object ${object} is not published by this process`);
    if (!entry.methods.includes(method)) throw failure('MethodNotFound', `${object} has no method ${method}`);
    switch (method) {
      case PANDORA.dispatchMethod: return this.onAction(args[0], args[1] || {}, entry);
      case PANDORA.getPropertyMethod: return this.property(entry, args[0]);
      case PANDORA.subscribeMethod: return this._subscribe(object, entry, String(args[0]));
      case PANDORA.unsubscribeMethod: return this._unsubscribe(entry, String(args[0]));
      default: return entry.impl[method](...args);
    }
  }

  /** Pandora's getProperty: a published object's data property or getter, never a method or a builtin. */
  property(entry, name) {
    if (!propertyNames(entry.impl).includes(name)) return null;
    return entry.impl[name];
  }

  /** Pandora's host side of object events: the object's own subscribe(register, cb) once per register. */
  async _subscribe(object, entry, register) {
    const r = entry.registers.get(register);
    if (r) {
      r.count++;
      return true;
    }
    const cb = (...params) => this.broadcast(object + PANDORA.objectEventSuffix, {register, params});
    entry.registers.set(register, {count: 1, cb});
    try {
      await entry.impl.subscribe(register, cb);
    } catch (err) {
      entry.registers.delete(register);
      throw err;
    }
    return true;
  }

  async _unsubscribe(entry, register) {
    const r = entry.registers.get(register);
    if (!r) return true;
    if (--r.count > 0) return true;
    entry.registers.delete(register);
    await entry.impl.unsubscribe(register, r.cb);
    return true;
  }
}

module.exports = {Publisher, methodNames, propertyNames, RESERVED};

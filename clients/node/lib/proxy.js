'use strict';

const {EventEmitter} = require('node:events');
const {PANDORA} = require('./rules');
const {RESERVED} = require('./publisher');

/** Pandora's ObjectDescription `{name, tag}` becomes the hub name `name.tag` (':' is not a valid hub name character). */
function objectId(desc) {
  if (typeof desc === 'string') return desc;
  if (desc && typeof desc.name === 'string') return desc.tag ? `${desc.name}${PANDORA.tagSeparator}${desc.tag}` : desc.name;
  throw new TypeError('object name must be a string or {name, tag}');
}

function description(desc) {
  return typeof desc === 'string' ? {name: desc} : {name: desc.name, tag: desc.tag};
}

/**
 * Pandora's ObjectConsumer: calls, properties, object events and introspection of one remote object. `invoke`
 * works before `introspect` (the object may be published later); `getProxy` introspects first and so fails fast
 * with ObjectNotFound when nobody publishes it.
 */
class ObjectConsumer {
  constructor(hub, desc, options) {
    this.hub = hub;
    this.objectDescription = description(desc);
    this.options = options; // {timeout, process, pod}
    // A tagged description falls back to the untagged object, as Pandora's provider-side lookup did.
    this.target = objectId(desc);
    this.events = new EventEmitter();
    this.onObjectEvent = null;
    this.proxy = null;
  }

  invoke(method, params = []) {
    return this.hub.invoke(this.target, method, params, this.options);
  }

  getProperty(name) {
    return this.hub.invoke(this.target, PANDORA.getPropertyMethod, [name], this.options);
  }

  /** `{methods: [{name}], properties: [{name}]}` of the published object (Pandora's Introspection, names only). */
  async introspect() {
    const info = await this._describe();
    return {
      methods: info.methods.filter((m) => !RESERVED.includes(m)).map((name) => ({name, type: 'function'})),
      properties: (info.properties || []).map((name) => ({name})),
      events: info.methods.includes(PANDORA.subscribeMethod),
      providers: info.providers,
    };
  }

  async _describe() {
    const {name, tag} = this.objectDescription;
    try {
      return await this.hub.describe(this.target);
    } catch (err) {
      if (!tag || err.name !== 'ObjectNotFound' || this.target === name) throw err;
      const untagged = await this.hub.describe(name);
      this.target = name;
      return untagged;
    }
  }

  /** The introspected proxy: exactly the published methods; properties throw, pointing at getProperty. */
  async getProxy() {
    if (!this.proxy) this.proxy = new ObjectProxy(this, await this.introspect());
    return this.proxy;
  }

  /**
   * Pandora's object events: `fn(...params)` for every `cb(...params)` the host object's own
   * `subscribe(register, cb)` gets, from every provider of the object in the group.
   */
  async subscribe(register, fn) {
    if (typeof fn !== 'function') throw new TypeError('subscribe needs a function');
    const first = this.events.listenerCount(register) === 0;
    this.events.on(register, fn);
    try {
      if (!this.onObjectEvent) {
        this.onObjectEvent = ({register: r, params}) => this.events.emit(r, ...(Array.isArray(params) ? params : []));
        await this.hub.events.subscribe(this.eventName(), this.onObjectEvent);
      }
      if (first) await this._everyProvider(PANDORA.subscribeMethod, register);
    } catch (err) {
      await this.unsubscribe(register, fn).catch(() => {});
      throw err;
    }
    return true;
  }

  async unsubscribe(register, fn) {
    if (fn) this.events.removeListener(register, fn);
    else this.events.removeAllListeners(register);
    if (this.events.listenerCount(register) === 0) await this._everyProvider(PANDORA.unsubscribeMethod, register);
    if (this.events.eventNames().length === 0 && this.onObjectEvent) {
      const handler = this.onObjectEvent;
      this.onObjectEvent = null;
      await this.hub.events.unsubscribe(this.eventName(), handler);
    }
    return true;
  }

  /** The group event that carries this object's events: its name with the reserved suffix (rules.json). */
  eventName() {
    return this.target + PANDORA.objectEventSuffix;
  }

  /** Every provider, so that events from any of them arrive; fails only if none took it. */
  async _everyProvider(method, register) {
    const replies = await this.hub.invokeAll(this.target, method, [register], this.options);
    const ok = replies.filter((r) => !r.error);
    if (ok.length === 0 && replies.length > 0) throw replies[0].error;
  }
}

const CONSUMER = Symbol('consumer');

/** Pandora's DefaultObjectProxy, built from an introspection. */
class ObjectProxy {
  constructor(consumer, introspection) {
    this[CONSUMER] = consumer;
    for (const {name} of introspection.methods) {
      if (name in ObjectProxy.prototype) continue;
      this[name] = (...params) => consumer.invoke(name, params);
    }
    for (const {name} of introspection.properties) {
      if (name in this) continue;
      const hint = () => {
        throw new Error(`Use 'await proxy.getProperty('${name}')' to replace 'proxy.${name}' when using IPC Object Proxy`);
      };
      Object.defineProperty(this, name, {get: hint, set: hint});
    }
  }

  getProperty(name) {
    return this[CONSUMER].getProperty(name);
  }

  subscribe(register, fn) {
    return this[CONSUMER].subscribe(register, fn);
  }

  unsubscribe(register, fn) {
    return this[CONSUMER].unsubscribe(register, fn);
  }

  toString() {
    return `HubProxy[${this[CONSUMER].target}]`;
  }
}

// Properties the runtime probes on any object; answering them with remote calls would fire calls by surprise.
const NOT_REMOTE = new Set(['toJSON', 'valueOf', 'constructor', 'inspect']);

/**
 * What getProxy returns: a thenable (awaiting it, or `.then`, introspects and yields the ObjectProxy, or rejects
 * with ObjectNotFound), and, used without await, a late-binding proxy whose every method name is a remote call
 * (for processes that start in any order).
 */
function lazyProxy(consumer) {
  const methods = new Map();
  const proxied = () => consumer.getProxy();
  return new Proxy(Object.create(null), {
    get: (_target, prop) => {
      if (typeof prop !== 'string' || NOT_REMOTE.has(prop)) return undefined;
      switch (prop) {
        case 'then': return (ok, fail) => proxied().then(ok, fail);
        case 'catch': return (fail) => proxied().catch(fail);
        case 'finally': return (fn) => proxied().finally(fn);
        case 'toString': return () => `HubProxy[${consumer.target}]`;
        case 'getProperty': return (name) => consumer.getProperty(name);
        case 'subscribe': return (register, fn) => consumer.subscribe(register, fn);
        case 'unsubscribe': return (register, fn) => consumer.unsubscribe(register, fn);
        default: {
          let fn = methods.get(prop);
          if (!fn) methods.set(prop, (fn = (...args) => consumer.invoke(prop, args)));
          return fn;
        }
      }
    },
    set: () => false,
    has: () => false,
  });
}

module.exports = {ObjectConsumer, ObjectProxy, lazyProxy, objectId};

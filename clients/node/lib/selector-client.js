'use strict';

const {EventEmitter} = require('node:events');
const {PANDORA} = require('./rules');
const {hubError} = require('./errors');
const {objectId} = require('./proxy');

// Pandora's built-in object actions (its const.ts), answered as object calls here.
const OBJECT_ACTION_INVOKE = 'OBJECT_ACTION_INVOKE';
const OBJECT_ACTION_GET_PROPERTY = 'OBJECT_ACTION_GET_PROPERTY';
// EventEmitter's own events are no hub actions.
const NOT_ACTIONS = new Set(['newListener', 'removeListener', 'error']);

/**
 * Pandora's HubClient (`getHub().getHubClient()`): messages routed by selector to processes. A selector's
 * `objectName` (+ `tag`/`objectTag`) picks the processes publishing that object, `processName` a process,
 * `clientId` a pod (each pod runs one app process: the pod is the client), `appName` must be this group; `pid`
 * means nothing across pods and is refused. A message reaches a process as `hubClient.on(action, handler)`, or as a
 * call for Pandora's OBJECT_ACTION_INVOKE / OBJECT_ACTION_GET_PROPERTY and the built-in `echo`.
 *
 * Every process that listens to an action (or calls `start()`) publishes the reserved object `$hubClient`, which is
 * how a selector without `objectName` reaches it.
 */
class SelectorClient extends EventEmitter {
  constructor(hub) {
    super();
    this.hub = hub;
    this.listening = null;
    this.on('newListener', (action) => {
      if (typeof action === 'string' && !NOT_ACTIONS.has(action)) this.start().catch((err) => hub.logger.error(err));
    });
  }

  /** Makes this process reachable by selectors without objectName; resolves once the group can see it. */
  start() {
    if (!this.listening) {
      this.listening = this.hub.publisher.publish(PANDORA.clientObject, {}).catch((err) => {
        this.listening = null;
        throw err;
      });
    }
    return this.listening;
  }

  /** Pandora's location: `{appName, processName, clientId}`, the pod being the client. */
  getLocation() {
    return this.hub.location();
  }

  /** One matching process (local first, else round-robin) answers: `{success, data, host}` or `{success: false, error}`. */
  async invoke(selector, action, message = {}) {
    const call = await this._call(selector, action, message);
    if (!call) return {success: false, error: noClients(selector)};
    try {
      return answer(await this.hub.invoke(call.object, PANDORA.dispatchMethod, call.args, call.options));
    } catch (err) {
      if (err.name === 'Timeout' || err.name === 'HubUnavailable') throw err;
      return {success: false, error: err};
    }
  }

  /** Every matching process answers: one `{success, data, host}` / `{success: false, error, host}` each. */
  async multipleInvoke(selector, action, message = {}) {
    const call = await this._call(selector, action, message);
    if (!call) return [];
    let replies;
    try {
      replies = await this.hub.invokeAll(call.object, PANDORA.dispatchMethod, call.args, call.options);
    } catch (err) {
      if (err.name === 'ObjectNotFound') return [];
      throw err;
    }
    return replies.map((r) => (r.error ? {success: false, error: r.error, host: location(r)} : answer(r.result)));
  }

  /** As invoke, without waiting for (or reporting) the answer. */
  send(selector, action, message) {
    this.invoke(selector, action, message).catch((err) => this._lost(err));
  }

  /** As multipleInvoke, without waiting for (or reporting) the answers. */
  multipleSend(selector, action, message) {
    this.multipleInvoke(selector, action, message).catch((err) => this._lost(err));
  }

  /** Withdraws every object this process published that the selector matches (Pandora: its published selectors). */
  async unpublish(selector = {}) {
    const batchReply = [];
    for (const id of [...this.hub.publisher.objects.keys()]) {
      if (id === PANDORA.clientObject) continue;
      if (selector.objectName && !matchesObject(selector, id)) continue;
      await this.hub.publisher.unpublish(id);
      batchReply.push({success: true, object: id});
    }
    return {success: true, batchReply};
  }

  /** What arrived through `$dispatch`: Pandora's DefaultDispatchHandler and ObjectDispatchHandler, else an event. */
  async dispatch(action, message, entry) {
    const host = await this.location();
    if (action === 'echo') return {host, data: {echo: message}};
    if (action === OBJECT_ACTION_INVOKE && entry.methods.includes(message.propertyName)) {
      return {host, data: await entry.impl[message.propertyName](...(Array.isArray(message.data) ? message.data : []))};
    }
    if (action === OBJECT_ACTION_GET_PROPERTY) return {host, data: this.hub.publisher.property(entry, message.propertyName)};
    this.emit(action, message);
    return {host, data: null};
  }

  location() {
    return this.hub.location();
  }

  async _call(selector, action, message) {
    if (!selector || typeof selector !== 'object') throw new TypeError('a selector is an object like {objectName, processName}');
    if (selector.pid) {
      throw hubError('NotSupported', 'pid selectors mean nothing across pods: select by processName or clientId (the pod)');
    }
    if (typeof action !== 'string' || !action) throw new TypeError('action must be a non-empty string');
    const here = await this.location();
    if (selector.appName && selector.appName !== here.appName) return null; // one group is one Pandora app
    const tag = selector.objectTag || selector.tag;
    const object = selector.objectName ? objectId({name: selector.objectName, tag}) : PANDORA.clientObject;
    const {timeout, ...rest} = message || {};
    const wire = {...rest, action, remote: selector, host: here};
    return {object, args: [action, wire], options: {timeout, process: selector.processName, pod: selector.clientId}};
  }

  _lost(err) {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

function matchesObject(selector, id) {
  const tag = selector.objectTag || selector.tag;
  return id === objectId({name: selector.objectName, tag});
}

function noClients(selector) {
  return hubError('ObjectNotFound', `Cannot found any clients by selector: ${JSON.stringify(selector)}`);
}

function answer(result) {
  return {success: true, data: result ? result.data : null, host: result ? result.host : undefined};
}

function location(reply) {
  return {clientId: reply.pod, processName: reply.process};
}

module.exports = {SelectorClient, OBJECT_ACTION_INVOKE, OBJECT_ACTION_GET_PROPERTY};

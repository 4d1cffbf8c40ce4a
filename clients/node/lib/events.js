'use strict';

const {NAMES} = require('./rules');
const {segment} = require('./transport');

/** The sidecar names events like objects (e.g. `cache.flush`); a bad one would only come back as an async `rejected`. */
function checkEvent(event) {
  if (typeof event !== 'string' || !NAMES.event.test(event)) {
    throw new TypeError(`invalid event name '${event}' (hub event names match ${NAMES.event})`);
  }
}

/**
 * Group-wide events: `broadcast` over HTTP, subscriptions over the WebSocket. `subscribe` resolves when the sidecar
 * has acknowledged it (`subscribed`): from then on no broadcast sent anywhere in the group misses it.
 */
class Events {
  constructor(transport, {defaultTimeoutMs, onHandlerError}) {
    this.transport = transport;
    this.defaultTimeoutMs = defaultTimeoutMs;
    this.onHandlerError = onHandlerError;
    this.handlers = new Map(); // event -> Set<handler>
    transport.on('frame', (frame) => {
      if (frame.op === 'event') this._deliver(frame);
    });
  }

  /** The subscribe frames, for the transport's replay. */
  frames() {
    return [...this.handlers.keys()].map((event) => ({op: 'subscribe', event}));
  }

  async broadcast(event, data = null) {
    checkEvent(event);
    const body = await this.transport.request('POST', `/v1/events/${segment(event)}`, data === undefined ? null : data,
      {}, this.defaultTimeoutMs);
    return body.delivered;
  }

  async subscribe(event, handler) {
    checkEvent(event);
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    this.transport.checkNotClosed();
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const first = set.size === 0;
    set.add(handler);
    if (!first) return;
    try {
      await this.transport.sendAndAwait({op: 'subscribe', event}, `subscribed:${event}`);
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
    if (set.size > 0) return;
    this.handlers.delete(event);
    if (this.transport.isOpen()) await this.transport.sendAndAwait({op: 'unsubscribe', event}, `unsubscribed:${event}`);
  }

  _deliver({event, data, from}) {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        const r = handler(data, from);
        if (r && typeof r.catch === 'function') r.catch((err) => this.onHandlerError(event, err));
      } catch (err) {
        this.onHandlerError(event, err);
      }
    }
  }
}

module.exports = {Events, checkEvent};

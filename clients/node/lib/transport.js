'use strict';

const {EventEmitter} = require('node:events');
const WebSocket = require('ws');
const {HubError, hubError} = require('./errors');

/** Percent-encodes a path segment, keeping '$' (legal in paths and in hub names) as is. */
function segment(s) {
  return encodeURIComponent(s).replace(/%24/g, '$');
}

/**
 * The two channels to the pod's sidecar: plain HTTP requests, and one WebSocket (`/v1/connect`) opened on first need
 * and reopened after the sidecar restarts (100 ms doubling to reconnectMax). What the WebSocket carries is state the
 * owner re-sends on every open (`replay`); acknowledgements (`published`, `subscribed`, ...) settle `awaitAck`s.
 *
 * Emits 'open', 'close', 'frame' (every frame that is not an acknowledgement) and 'error' (only when listened to).
 */
class Transport extends EventEmitter {
  constructor({url, ackTimeout, reconnectMin, reconnectMax, logger, replay, wanted}) {
    super();
    this.url = url;
    this.wsUrl = url.replace(/^http/, 'ws') + '/v1/connect';
    this.ackTimeout = ackTimeout;
    this.reconnectMin = reconnectMin;
    this.reconnectMax = reconnectMax;
    this.logger = logger;
    this.replay = replay; // (send) => void: re-sends every publish and subscribe
    this.wanted = wanted; // () => boolean: is there state worth reconnecting for
    this.acks = new Map(); // 'published:name' | 'subscribed:event' | ... -> [{resolve, reject, timer}]
    this.ws = null;
    this.closed = false;
    this.reconnectDelay = reconnectMin;
    this.reconnectTimer = null;
  }

  // ---------------------------------------------------------------- HTTP

  async request(method, path, json, headers, clientTimeoutMs) {
    let res;
    try {
      res = await fetch(this.url + path, {
        method,
        headers: json === undefined ? headers : {'content-type': 'application/json', ...headers},
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

  // ---------------------------------------------------------------- WebSocket

  isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  checkNotClosed() {
    if (this.closed) throw hubError('Closed', 'the hub client was closed');
  }

  /** Sends now if open; otherwise opens the connection, whose `replay` sends the state this frame changed. */
  send(frame) {
    if (this.isOpen()) this.ws.send(JSON.stringify(frame));
    else this.connect();
  }

  /** Sends `frame` (as `send`) and resolves when the hub acknowledges it as `key`, or rejects after ackTimeout. */
  async sendAndAwait(frame, key) {
    const ack = this.awaitAck(key);
    this.send(frame);
    return ack;
  }

  awaitAck(key) {
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

  settle(key, err) {
    const list = this.acks.get(key);
    if (!list) return;
    this.acks.delete(key);
    for (const entry of list) {
      clearTimeout(entry.timer);
      if (err) entry.reject(err);
      else entry.resolve();
    }
  }

  connect() {
    if (this.closed || this.ws || this.reconnectTimer) return;
    const ws = new WebSocket(this.wsUrl, {perMessageDeflate: false});
    this.ws = ws;
    ws.on('open', () => {
      this.reconnectDelay = this.reconnectMin;
      // After a sidecar restart the new one knows nothing of this process.
      this.replay((frame) => ws.send(JSON.stringify(frame)));
      this.emit('open');
    });
    ws.on('message', (data) => this._onMessage(ws, data));
    ws.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    ws.on('close', () => this._onClose(ws));
  }

  _onClose(ws) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.emit('close');
    if (this.closed || (!this.wanted() && this.acks.size === 0)) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.reconnectMax);
  }

  _onMessage(ws, data) {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch (err) {
      this.logger.error('[procgroup-hub] unparsable frame from the sidecar', err);
      return;
    }
    switch (frame.op) {
      case 'published':
      case 'unpublished': return this.settle(`${frame.op}:${frame.object}`);
      case 'subscribed':
      case 'unsubscribed': return this.settle(`${frame.op}:${frame.event}`);
      case 'rejected': return this._onRejected(frame);
      default: this.emit('frame', frame, ws);
    }
  }

  _onRejected(frame) {
    const f = frame.frame || {};
    const err = hubError('Rejected', `the hub rejected ${JSON.stringify(f)}: ${frame.reason}`);
    const key = f.op === 'publish' || f.op === 'unpublish' ? `${f.op}ed:${f.object}`
      : f.op === 'subscribe' || f.op === 'unsubscribe' ? `${f.op}d:${f.event}` : null;
    if (key && this.acks.has(key)) this.settle(key, err);
    else this.logger.error(`[procgroup-hub] ${err.message}`);
  }

  /** Answers on the connection that asked; if it has closed, the hub failed that call already. */
  static reply(ws, text) {
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  async close() {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const err = hubError('Closed', 'the hub client was closed');
    for (const key of [...this.acks.keys()]) this.settle(key, err);
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise((resolve) => {
        ws.once('close', resolve);
        ws.close();
      });
    }
  }
}

module.exports = {Transport, segment};

'use strict';

// W3C trace context for hub calls, kept in an AsyncLocalStorage: a published method runs inside the context its
// invoke frame carried (the provider sidecar's span), and every hub call made while a context is active, in that
// method or under withTraceContext, sends it on. Nothing here makes spans: an app's tracer (OpenTelemetry, ...) reads
// getTraceContext() to parent its span and hands its own span's context back with withTraceContext.
const {AsyncLocalStorage} = require('node:async_hooks');
const {NAMES, HEADERS} = require('./rules');

const storage = new AsyncLocalStorage();

/** The active `{traceparent, tracestate}` (tracestate may be undefined), or null outside any. */
function getTraceContext() {
  return storage.getStore() || null;
}

/** `{traceparent, tracestate}` checked against the protocol's rule (a bad one is the caller's bug: TypeError). */
function traceContext(ctx) {
  if (!ctx || typeof ctx.traceparent !== 'string' || !NAMES.traceparent.test(ctx.traceparent)) {
    throw new TypeError(`a trace context needs a W3C traceparent (version 00), got ${JSON.stringify(ctx && ctx.traceparent)}`);
  }
  if (ctx.tracestate !== undefined && ctx.tracestate !== null && typeof ctx.tracestate !== 'string') {
    throw new TypeError('tracestate must be a string');
  }
  return ctx.tracestate ? {traceparent: ctx.traceparent, tracestate: ctx.tracestate} : {traceparent: ctx.traceparent};
}

/** Runs `fn` with `ctx` active (null: none): hub calls made inside, awaited or not, carry it. */
function withTraceContext(ctx, fn) {
  return storage.run(ctx === null ? undefined : traceContext(ctx), fn);
}

/** The context an invoke frame carried, or undefined (frames come from the sidecar, which validated them). */
function fromFrame(frame) {
  if (typeof frame.traceparent !== 'string') return undefined;
  return typeof frame.tracestate === 'string' ? {traceparent: frame.traceparent, tracestate: frame.tracestate}
    : {traceparent: frame.traceparent};
}

/** Adds the active (or the call's own `options.traceContext`) context to a request's headers. */
function addTraceHeaders(headers, options) {
  const ctx = options && options.traceContext ? traceContext(options.traceContext) : getTraceContext();
  if (!ctx) return headers;
  headers[HEADERS.traceparent] = ctx.traceparent;
  if (ctx.tracestate) headers[HEADERS.tracestate] = ctx.tracestate;
  return headers;
}

module.exports = {getTraceContext, withTraceContext, fromFrame, addTraceHeaders, storage};

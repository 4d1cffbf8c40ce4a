'use strict';

/**
 * @procgroup/hub: Pandora.js's IPC-hub API on top of the Procgroup sidecar.
 *
 *   const {publishObject, getProxy} = require('@procgroup/hub');   // was require('pandora')
 *
 * The module-level functions use one lazily created Hub per process (as Pandora's facade did);
 * create your own `new Hub({url})` for tests or a second hub.
 */
const {Hub, objectId} = require('./hub');
const {HubError} = require('./errors');
const {getTraceContext, withTraceContext} = require('./trace');

let defaultHub = null;

/** The process's Hub (Pandora: `getHub()`). */
function getHub() {
  if (!defaultHub) defaultHub = new Hub();
  return defaultHub;
}

module.exports = {
  Hub,
  /** The name this class had before getHub().getHubClient() became Pandora's selector client; same class as Hub. */
  HubClient: Hub,
  HubError,
  objectId,
  getHub,
  publishObject: (name, impl) => getHub().publishObject(name, impl),
  unpublish: (name) => getHub().unpublish(name),
  getProxy: (name, options) => getHub().getProxy(name, options),
  getConsumer: (name, options) => getHub().getConsumer(name, options),
  getHubClient: () => getHub().getHubClient(),
  invoke: (object, method, args, options) => getHub().invoke(object, method, args, options),
  subscribe: (event, handler) => getHub().subscribe(event, handler),
  unsubscribe: (event, handler) => getHub().unsubscribe(event, handler),
  broadcast: (event, data) => getHub().broadcast(event, data),
  context: () => getHub().context(),
  /** The W3C trace context active here ({traceparent, tracestate}) or null; see README "Tracing". */
  getTraceContext,
  withTraceContext,
  /** Closes the default hub; the next call creates a fresh one. */
  close: async () => {
    const hub = defaultHub;
    defaultHub = null;
    if (hub) await hub.close();
  },
};

/** Pandora's DefaultEnvironment mapping of NODE_ENV. */
function pandoraEnv(nodeEnv) {
  if (nodeEnv === 'production' || nodeEnv === 'prepub') return nodeEnv;
  if (nodeEnv === 'test' || nodeEnv === 'unittest') return 'test';
  return 'development';
}

// Pandora's synchronous accessors, from the env the operator gives the app container.
Object.defineProperties(module.exports, {
  appName: {enumerable: true, get: () => process.env.PROCGROUP_GROUP},
  processName: {enumerable: true, get: () => process.env.PROCGROUP_PROCESS},
  env: {enumerable: true, get: () => pandoraEnv(process.env.NODE_ENV)},
});

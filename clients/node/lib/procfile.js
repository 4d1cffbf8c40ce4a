'use strict';

/**
 * Pandora's procfile services in a ProcessGroup process. Pandora's daemon read procfile.js, forked each process and
 * in it constructed the process's services with a service context and awaited their start(). A ProcessGroup runs one
 * command per process, so each process runs this with the same procfile.js: it evaluates the procfile's declarations,
 * starts the services declared for this process (PROCGROUP_PROCESS), publishes those marked .publish(), and on
 * stop() (SIGTERM, in bin/procgroup-procfile.js) unpublishes and stops them in reverse order.
 *
 *   require('@procgroup/hub/procfile').run('./procfile.js')      // or: procgroup-procfile procfile.js
 *
 * Which processes exist, their argv, scale, env and order are the ProcessGroup's spec; the procfile's process()
 * declarations are recorded (run().declared) but change nothing here.
 */
const path = require('node:path');
const {getHub} = require('./index');
const {methodNames} = require('./publisher');

// Pandora's default process for a service without .process(): its built-in worker.
const DEFAULT_PROCESS = 'worker';
// The lifecycle methods the daemon called; not part of a published service's interface.
const LIFECYCLE = new Set(['start', 'stop']);

/** pandora.process(name): every call recorded, none acted on (the ProcessGroup spec says it). */
function processEntry(record) {
  const entry = {};
  for (const key of ['argv', 'nodeArgs', 'args', 'scale', 'env', 'order', 'entry', 'mode']) {
    entry[key] = (value) => { record[key] = value; return entry; };
  }
  return entry;
}

/** pandora.service(name, pathOrClass): where it runs, its config, whether it is published, what it depends on. */
function serviceEntry(record) {
  const entry = {
    process: (name) => { record.process = name; return entry; },
    config: (config) => { record.config = config; return entry; },
    publish: (publish = true) => { record.publish = Boolean(publish); return entry; },
    dependency: (names) => { record.dependencies.push(...[].concat(names)); return entry; },
  };
  return entry;
}

/** Evaluates a procfile (a function of the DSL): {processes: Map(name -> record), services: [record]}. */
function declare(procfile, facts = {}) {
  const processes = new Map();
  const services = new Map();
  const dsl = {
    dev: facts.env !== 'production' && facts.env !== 'prepub',
    env: facts.env,
    appName: facts.appName,
    process(name) {
      if (!processes.has(name)) processes.set(name, {name});
      return processEntry(processes.get(name));
    },
    service(name, impl) {
      if (!services.has(name)) services.set(name, {name, impl, process: DEFAULT_PROCESS, config: {}, publish: false, dependencies: []});
      return serviceEntry(services.get(name));
    },
  };
  procfile(dsl);
  return {processes, services: [...services.values()]};
}

/** The services of `processName`, each after the ones it depends on there (declaration order otherwise). */
function servicesOf(declared, processName) {
  const mine = new Map(declared.services.filter((s) => s.process === processName).map((s) => [s.name, s]));
  const ordered = [];
  const state = new Map();
  const visit = (s, chain) => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') throw new Error(`procfile: dependency cycle ${[...chain, s.name].join(' -> ')}`);
    state.set(s.name, 'visiting');
    for (const d of s.dependencies) if (mine.has(d)) visit(mine.get(d), [...chain, s.name]);
    state.set(s.name, 'done');
    ordered.push(s);
  };
  for (const s of mine.values()) visit(s, []);
  return ordered;
}

/** What the published name serves: the instance's methods (its class chain's), bound, without start/stop. */
function publishedInterface(instance) {
  const api = {};
  for (const m of methodNames(instance)) if (!LIFECYCLE.has(m)) api[m] = instance[m].bind(instance);
  return api;
}

/** Pandora's log line prefix, on the console (the container log). */
function serviceLogger(serviceName, processName, sink = console) {
  const prefix = `[serviceName: ${serviceName}, processName: ${processName}]`;
  const logger = {};
  for (const level of ['debug', 'info', 'warn', 'error']) logger[level] = (...args) => sink[level](prefix, ...args);
  logger.log = logger.info;
  return logger;
}

function resolveImpl(impl, baseDir) {
  return typeof impl === 'string' ? require(require.resolve(path.resolve(baseDir, impl))) : impl;
}

/**
 * Starts this process's services. Options: processName (default PROCGROUP_PROCESS), hub (default the process's),
 * logger (the sink, default console). Resolves to {services: [names started], declared, stop()}; if a start()
 * fails, the services already started are stopped and the error is thrown.
 */
async function run(procfilePath, options = {}) {
  const file = path.resolve(procfilePath);
  const processName = options.processName || process.env.PROCGROUP_PROCESS;
  if (!processName) throw new Error('procfile: no process name (PROCGROUP_PROCESS is unset)');
  const hub = options.hub || getHub();
  const hubModule = require('./index');
  const declared = declare(require(file), {env: hubModule.env, appName: hubModule.appName});
  const started = [];
  const stop = async () => { // every service is stopped even if one fails; the first failure is thrown
    let failure = null;
    for (const s of started.splice(0).reverse()) {
      try {
        if (s.published) await hub.unpublish(s.name);
        if (typeof s.instance.stop === 'function') await s.instance.stop();
      } catch (err) { failure = failure || err; }
    }
    if (failure) throw failure;
  };
  try {
    for (const s of servicesOf(declared, processName)) {
      const Service = resolveImpl(s.impl, path.dirname(file));
      const config = typeof s.config === 'function' ? s.config() : s.config;
      const ctx = {
        serviceName: s.name, processName, appName: hubModule.appName, config,
        logger: serviceLogger(s.name, processName, options.logger),
        getProxy: (name, proxyOptions) => hub.getProxy(name, proxyOptions),
        getHub: () => hub,
      };
      const instance = new Service(ctx);
      const entry = {name: s.name, instance, published: false};
      started.push(entry);
      if (typeof instance.start === 'function') await instance.start();
      if (s.publish) {
        await hub.publishObject(s.name, publishedInterface(instance));
        entry.published = true;
      }
    }
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return {services: started.map((s) => s.name), declared, stop};
}

module.exports = {run, declare, servicesOf, publishedInterface};

'use strict';

// Pandora's whole hub API (midwayjs/pandora packages/hub: Facade, ObjectConsumer, DefaultObjectProxy, HubClient)
// against two REAL sidecars on loopback: "pod-a" (process background) and "pod-b" (process web), so every call
// that is not pinned to the caller's own pod crosses the peer API. Each test backs a ✅ row of README.md's table.

const test = require('node:test');
const assert = require('node:assert/strict');
const {Hub} = require('../..');
const {pair} = require('./sidecars');
const {until: untilMs} = require('../support/until');

const until = (check, ms = 15000) => untilMs(check, ms);

let a;
let b;
const hubs = [];
function hub(sidecar) {
  const h = new Hub({url: sidecar.url, reconnectMin: 50, reconnectMax: 500});
  hubs.push(h);
  return h;
}

test.before(async () => { [a, b] = await pair(); });
test.after(async () => {
  await Promise.all(hubs.map((h) => h.close()));
  await Promise.all([a?.kill(), b?.kill()]);
});

class Calculator {
  constructor() {
    this.PI = 3.14;
    this.version = 'v1';
  }

  add(x, y) { return x + y; }
  async slowDouble(x) { return 2 * x; }
}

test('getHub().publish(impl, {name, tag}) and getProxy: exactly the published methods, properties through getProperty', async () => {
  await hub(a).publish(Calculator, {name: 'calc', tag: 'v1'});
  const proxy = await hub(b).getProxy({name: 'calc', tag: 'v1'});
  assert.equal(typeof proxy.add, 'function');
  assert.equal(typeof proxy.slowDouble, 'function');
  assert.equal(typeof proxy.multiply, 'undefined', 'not published, so not on the proxy');
  assert.equal(typeof proxy.$dispatch, 'undefined', 'reserved methods stay hidden');
  assert.equal(proxy.then, undefined);
  assert.equal(await proxy.add(2, 3), 5);
  assert.equal(await proxy.slowDouble(21), 42);
  assert.throws(() => proxy.PI, /Use 'await proxy.getProperty\('PI'\)'/); // Pandora's message
  assert.equal(await proxy.getProperty('PI'), 3.14);
  assert.equal(await proxy.getProperty('version'), 'v1');
  assert.equal(await proxy.getProperty('add'), null, 'a method is no property');
});

test('getProxy fails fast with ObjectNotFound when nothing publishes the object; .then() works', async () => {
  const started = Date.now();
  await assert.rejects(hub(b).getProxy('nobodyHasThis'), {name: 'ObjectNotFound', source: 'hub', status: 404});
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  const sum = await hub(b).getProxy({name: 'calc', tag: 'v1'}).then((p) => p.add(1, 1));
  assert.equal(sum, 2);
  const caught = await hub(b).getProxy('stillNobody').catch((err) => err.name);
  assert.equal(caught, 'ObjectNotFound');
});

test('tags as Pandora resolved them: untagged never reaches a tagged object, a tag falls back to the untagged one', async () => {
  // Pandora's SelectorUtils ignores the tag when routing (it checks the key 'tag', selectors carry 'objectTag');
  // the provider then looks up name:tag, else name: an untagged getProxy works only against an untagged object.
  await assert.rejects(hub(b).getProxy('calc'), {name: 'ObjectNotFound'});
  await hub(a).publish({who() { return 'untagged'; }}, {name: 'plain'});
  const proxy = await hub(b).getProxy({name: 'plain', tag: 'v7'});
  assert.equal(await proxy.who(), 'untagged');
  await hub(a).publish({who() { return 'tagged'; }}, {name: 'plain', tag: 'v8'});
  assert.equal(await (await hub(b).getProxy({name: 'plain', tag: 'v8'})).who(), 'tagged');
  assert.equal(await (await hub(b).getProxy('plain')).who(), 'untagged');
});

test('getConsumer: invoke, getProperty and introspect of a remote object', async () => {
  const consumer = hub(b).getConsumer({name: 'calc', tag: 'v1'}, {timeout: 5000});
  assert.equal(await consumer.invoke('add', [40, 2]), 42);
  assert.equal(await consumer.getProperty('PI'), 3.14);
  const intro = await consumer.introspect();
  assert.deepEqual(intro.methods.map((m) => m.name).sort(), ['add', 'slowDouble']);
  assert.deepEqual(intro.properties.map((p) => p.name).sort(), ['PI', 'version']);
  assert.deepEqual(intro.providers.map((p) => p.pod), ['pod-a']);
});

/** A host object with Pandora's event contract: subscribe(register, cb) / unsubscribe(register, cb). */
function eventSource() {
  const source = {
    callbacks: new Map(),
    log: [],
    async subscribe(register, cb) { source.log.push(`subscribe ${register}`); source.callbacks.set(register, cb); },
    async unsubscribe(register, cb) {
      source.log.push(`unsubscribe ${register} ${source.callbacks.get(register) === cb}`);
      source.callbacks.delete(register);
    },
    fire(register, ...params) { return source.callbacks.get(register)(...params); },
  };
  return source;
}

test('object events: proxy.subscribe(register, fn) gets the host callback\'s params in both pods; unsubscribe ends it', async () => {
  const source = eventSource();
  await hub(a).publish(source, 'ticker');
  const remote = await hub(b).getProxy('ticker');
  const sameSide = await hub(a).getProxy('ticker');
  const gotB = [];
  const gotA = [];
  await remote.subscribe('tick', (x, y) => gotB.push([x, y]));
  await sameSide.subscribe('tick', (x) => gotA.push(x));
  assert.deepEqual(source.log, ['subscribe tick'], 'the host subscribes once per register, as Pandora\'s host did');

  await source.fire('tick', 1, 'one');
  await until(() => assert.deepEqual(gotB, [[1, 'one']]));
  await until(() => assert.deepEqual(gotA, [1]));

  await remote.unsubscribe('tick');
  assert.deepEqual(source.log, ['subscribe tick'], 'another consumer still listens');
  await sameSide.unsubscribe('tick');
  assert.deepEqual(source.log, ['subscribe tick', 'unsubscribe tick true'], 'the same callback is handed back');
});

test('object events on an object without subscribe/unsubscribe fail with MethodNotFound', async () => {
  const proxy = await hub(b).getProxy({name: 'calc', tag: 'v1'});
  await assert.rejects(proxy.subscribe('x', () => {}), {name: 'MethodNotFound'});
});

test('HubClient: on(action) fires for invoke and send, selected by processName; echo answers', async () => {
  const listenerHub = hub(a);
  const listener = listenerHub.getHubClient();
  const got = [];
  listener.on('refresh', (message) => got.push(message));
  await listener.start();
  const caller = hub(b).getHubClient();
  const reply = await caller.invoke({processName: 'background'}, 'refresh', {data: {keys: ['k1']}});
  assert.equal(reply.success, true);
  assert.deepEqual(reply.host, {appName: 'itest', processName: 'background', clientId: 'pod-a'});
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].data, {keys: ['k1']});
  assert.equal(got[0].action, 'refresh');
  assert.deepEqual(got[0].host, {appName: 'itest', processName: 'web', clientId: 'pod-b'});

  assert.equal(caller.send({processName: 'background'}, 'refresh', {data: 'fire and forget'}), undefined);
  await until(() => assert.equal(got.length, 2));
  assert.equal(got[1].data, 'fire and forget');

  const echo = await caller.invoke({processName: 'background'}, 'echo', {data: 42});
  assert.equal(echo.data.echo.data, 42);
  await listenerHub.close(); // its process leaves: the next test counts the clients of each pod
});

test('HubClient: multipleInvoke returns each process\'s answer; multipleSend reaches them all; clientId picks a pod', async () => {
  const heard = {a: 0, b: 0};
  const ca = hub(a).getHubClient();
  const cb = hub(b).getHubClient();
  ca.on('count', () => heard.a++);
  cb.on('count', () => heard.b++);
  await Promise.all([ca.start(), cb.start()]);
  const replies = await cb.multipleInvoke({}, 'count', {});
  assert.deepEqual(replies.map((r) => [r.success, r.host.clientId]).sort(), [[true, 'pod-a'], [true, 'pod-b']]);
  assert.deepEqual(heard, {a: 1, b: 1});

  cb.multipleSend({}, 'count', {});
  await until(() => assert.deepEqual(heard, {a: 2, b: 2}));

  const one = await cb.invoke({clientId: 'pod-a'}, 'count', {});
  assert.equal(one.host.clientId, 'pod-a');
  assert.deepEqual(heard, {a: 3, b: 2});
});

test('HubClient: an objectName selector reaches the processes publishing it; each failure is its own reply', async () => {
  await hub(a).publish({side() { return 'a'; }, boom() { throw new RangeError('a says no'); }}, 'sides');
  await hub(b).publish({side() { return 'b'; }, boom() { return 'b is fine'; }}, 'sides');
  const c = hub(b).getHubClient();
  const sides = await c.multipleInvoke({objectName: 'sides'}, 'OBJECT_ACTION_INVOKE', {propertyName: 'side', data: []});
  assert.deepEqual(sides.map((r) => r.data).sort(), ['a', 'b']);
  const booms = await c.multipleInvoke({objectName: 'sides'}, 'OBJECT_ACTION_INVOKE', {propertyName: 'boom', data: []});
  const failed = booms.find((r) => !r.success);
  assert.equal(failed.error.name, 'RangeError');
  assert.equal(failed.error.source, 'remote');
  assert.equal(failed.host.clientId, 'pod-a');
  assert.equal(booms.find((r) => r.success).data, 'b is fine');
  // Pinned to the other pod's process, the call crosses the peer API.
  const pinned = await c.invoke({objectName: 'sides', processName: 'background'}, 'OBJECT_ACTION_INVOKE', {propertyName: 'side'});
  assert.equal(pinned.data, 'a');
  const pi = await c.invoke({objectName: 'calc', objectTag: 'v1'}, 'OBJECT_ACTION_GET_PROPERTY', {propertyName: 'PI'});
  assert.deepEqual([pi.success, pi.data, pi.host.clientId], [true, 3.14, 'pod-a']);
});

test('HubClient: a selector nobody matches answers success false; pid is refused; another appName matches nothing', async () => {
  const c = hub(b).getHubClient();
  const none = await c.invoke({objectName: 'noSuchObject'}, 'echo', {});
  assert.equal(none.success, false);
  assert.equal(none.error.name, 'ObjectNotFound');
  assert.deepEqual(await c.multipleInvoke({objectName: 'noSuchObject'}, 'echo', {}), []);
  await assert.rejects(c.invoke({pid: '42'}, 'echo', {}), {name: 'NotSupported'});
  assert.equal((await c.invoke({appName: 'another-group'}, 'echo', {})).success, false);
});

test('HubClient.unpublish(selector) withdraws the matching objects of this process from the whole group', async () => {
  const h = hub(a);
  await h.publish({ping() { return 'pong'; }}, {name: 'temp', tag: 't1'});
  await h.publish({ping() { return 'pong'; }}, 'keepMe');
  assert.equal(await (await hub(b).getProxy({name: 'temp', tag: 't1'})).ping(), 'pong');
  const res = await h.getHubClient().unpublish({objectName: 'temp', objectTag: 't1'});
  assert.equal(res.success, true);
  await assert.rejects(hub(b).getProxy({name: 'temp', tag: 't1'}), {name: 'ObjectNotFound'});
  assert.equal(await (await hub(b).getProxy('keepMe')).ping(), 'pong');
});

test('the module-level API (require(\'@procgroup/hub\') in place of require(\'pandora\')) on a real sidecar', async () => {
  const saved = {...process.env};
  Object.assign(process.env, {PROCGROUP_HUB_URL: a.url, PROCGROUP_GROUP: 'itest', PROCGROUP_PROCESS: 'background',
    NODE_ENV: 'unittest'});
  const pandora = require('../..');
  try {
    assert.equal(pandora.appName, 'itest');
    assert.equal(pandora.processName, 'background');
    assert.equal(pandora.env, 'test');
    await pandora.publishObject({name: 'moduleLevel', tag: 'x'}, class { hi(n) { return `hi ${n}`; } });
    const proxy = await hub(b).getProxy({name: 'moduleLevel', tag: 'x'});
    assert.equal(await proxy.hi('b'), 'hi b');
    assert.equal(await (await pandora.getProxy({name: 'moduleLevel', tag: 'x'})).hi('a'), 'hi a');
    assert.equal(pandora.getHub().getHubClient(), pandora.getHubClient());
    assert.deepEqual(await pandora.getHubClient().getLocation(), {appName: 'itest', processName: 'background', clientId: 'pod-a'});
  } finally {
    await pandora.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

test('spec.services: a service declared for another process is refused; listObjects shows declared and live', async () => {
  // sidecars.js declares declaredReports for process background (pod-a); pod-b runs process web.
  await assert.rejects(hub(b).publish({run() { return 'web'; }}, 'declaredReports'),
    {name: 'Rejected', message: /declared for process 'background' \(spec.services\); process 'web' may not publish it/});
  let listed = (await hub(b).listObjects()).find((o) => o.name === 'declaredReports');
  assert.deepEqual([listed.declaredFor, listed.providers], ['background', []]);
  await assert.rejects(hub(b).getProxy('declaredReports'), {name: 'ObjectNotFound', message: /spec.services, not published yet/});
  await hub(a).publish({run() { return 'background'; }}, 'declaredReports');
  listed = (await hub(b).listObjects()).find((o) => o.name === 'declaredReports');
  assert.deepEqual(listed.providers.map((p) => p.process), ['background']);
  assert.equal(await (await hub(b).getProxy('declaredReports')).run(), 'background');
});

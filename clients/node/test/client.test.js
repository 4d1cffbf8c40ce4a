'use strict';

// Unit tests of the client against the in-test StubHub (see test/support/stub-hub.js).

const test = require('node:test');
const assert = require('node:assert/strict');
const {HubClient, HubError} = require('..');
const {StubHub} = require('./support/stub-hub');
const {until} = require('./support/until');

class Snapshot {
  constructor() { this.count = 0; }
  async take(url, width) { this.count++; return {url, width, n: this.count}; }
  fail() { throw Object.assign(new TypeError('bad url'), {code: 'ERR_INVALID_URL'}); }
  failWithString() { throw 'plain string'; } // eslint-disable-line no-throw-literal
  failPlainObject() { return Promise.reject({name: 'LegacyError', message: 'pandora style', code: 7}); }
  nothing() {}
  hang() { return new Promise(() => {}); }
  circular() { const o = {}; o.self = o; return o; }
  get computed() { throw new Error('getters must not run at publish time'); }
}

let stub;
const clients = [];
function client(opts = {}) {
  const c = new HubClient({url: stub.url, reconnectMin: 20, reconnectMax: 100, ...opts});
  clients.push(c);
  return c;
}

test.beforeEach(async () => { stub = await new StubHub().start(); });
test.afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stub.stop();
});

test('a class is instantiated and its prototype methods published, without constructor or getters', async () => {
  const pub = client();
  await pub.publishObject('pageSnapshot', Snapshot);
  const frame = stub.frames.find((f) => f.op === 'publish');
  assert.equal(frame.object, 'pageSnapshot');
  assert.deepEqual(frame.methods.sort(),
    ['$dispatch', '$getProperty', 'circular', 'fail', 'failPlainObject', 'failWithString', 'hang', 'nothing', 'take']);
  assert.deepEqual(frame.properties, ['count', 'computed'], 'data properties, and a getter listed without being run');
});

test('a proxy method call round-trips args and the resolved value; await getProxy works too', async () => {
  const pub = client();
  await pub.publishObject('pageSnapshot', new Snapshot());
  const proxy = await client().getProxy('pageSnapshot'); // Pandora style: getProxy was async
  assert.deepEqual(await proxy.take('http://a', 800), {url: 'http://a', width: 800, n: 1});
  assert.deepEqual(await proxy.take('http://b', 1), {url: 'http://b', width: 1, n: 2});
  assert.equal(proxy.take, proxy.take, 'method functions are made once');
  assert.equal(await proxy.nothing(), null, 'undefined travels as null');
});

test('printing, awaiting or serialising a proxy makes no remote call', async () => {
  await client().publishObject('pageSnapshot', Snapshot);
  const c = client();
  const calls = [];
  c.invoke = async (...args) => { calls.push(args[1]); };
  const lazy = c.getProxy('pageSnapshot');
  assert.equal(`${lazy}`, 'HubProxy[pageSnapshot]');
  assert.equal(JSON.stringify(lazy), '{}');
  const proxy = await lazy; // introspects (GET /v1/objects/pageSnapshot), calls nothing
  assert.equal(`${proxy}`, 'HubProxy[pageSnapshot]');
  assert.equal(JSON.stringify(proxy), '{}');
  assert.equal(proxy.then, undefined, 'the awaited proxy is no thenable');
  require('node:util').inspect(proxy);
  require('node:util').inspect(lazy);
  assert.deepEqual(calls, []);
  await lazy.take();
  await proxy.take();
  assert.deepEqual(calls, ['take', 'take']);
});

test('a plain object with function properties is published and `this` is the object', async () => {
  const pub = client();
  const counter = {n: 10, inc(by) { this.n += by; return this.n; }, label: 'not a method'};
  await pub.publishObject('counter', counter);
  assert.deepEqual(stub.frames.find((f) => f.op === 'publish').methods, ['inc', '$dispatch', '$getProperty']);
  assert.equal(await client().getProxy('counter').inc(5), 15);
  assert.equal(counter.n, 15);
});

test('a remote throw is re-thrown as an Error with name, message, code and source remote', async () => {
  await client().publishObject('pageSnapshot', Snapshot);
  const proxy = client().getProxy('pageSnapshot');
  const err = await proxy.fail().then(() => assert.fail('should throw'), (e) => e);
  assert.ok(err instanceof Error);
  assert.ok(err instanceof HubError);
  assert.equal(err.name, 'TypeError');
  assert.equal(err.message, 'bad url');
  assert.equal(err.code, 'ERR_INVALID_URL');
  assert.equal(err.source, 'remote');
  assert.equal(err.status, 500);
});

test('thrown strings and plain objects keep what they carry', async () => {
  await client().publishObject('pageSnapshot', Snapshot);
  const proxy = client().getProxy('pageSnapshot');
  await assert.rejects(proxy.failWithString(), {name: 'Error', message: 'plain string', code: null, source: 'remote'});
  await assert.rejects(proxy.failPlainObject(), {name: 'LegacyError', message: 'pandora style', code: '7', source: 'remote'});
});

test('a result that cannot be serialised becomes a remote error, not a hung call', async () => {
  await client().publishObject('pageSnapshot', Snapshot);
  await assert.rejects(client().getProxy('pageSnapshot').circular(), {name: 'TypeError', source: 'remote'});
});

test('a result over the frame limit fails its call with PayloadTooLarge and keeps the connection', async () => {
  const pub = client({maxFrameBytes: 1000});
  await pub.publishObject('blob', {get(n) { return 'x'.repeat(n); }});
  const proxy = client().getProxy('blob');
  assert.equal((await proxy.get(900)).length, 900);
  await assert.rejects(proxy.get(1000), {name: 'PayloadTooLarge', source: 'remote'});
  assert.equal((await proxy.get(10)).length, 10, 'still published on the same connection');
  assert.equal(stub.frames.filter((f) => f.op === 'publish').length, 1);
});

test('hub errors carry source hub and the HTTP status', async () => {
  const c = client();
  await assert.rejects(c.getProxy('nobody').call(), {name: 'ObjectNotFound', source: 'hub', status: 404});
  await c.publishObject('pageSnapshot', Snapshot);
  await assert.rejects(c.getProxy('pageSnapshot').nope(), {name: 'MethodNotFound', source: 'hub', status: 404});
});

test('timeout and process pin are sent as headers; the hub timeout surfaces as Timeout', async () => {
  await client().publishObject('pageSnapshot', Snapshot);
  const proxy = client().getProxy('pageSnapshot', {timeout: 150, process: 'background'});
  const started = Date.now();
  await assert.rejects(proxy.hang(), {name: 'Timeout', source: 'hub', status: 504});
  assert.ok(Date.now() - started < 2000);
  assert.equal(stub.lastRequest.headers['procgroup-timeout-ms'], '150');
  assert.equal(stub.lastRequest.headers['procgroup-process'], 'background');
  assert.throws(() => client().getProxy('x', {timeout: -1}), TypeError);
});

test('a publisher that disconnects mid-call fails the call with ProviderGone', async () => {
  const pub = client();
  await pub.publishObject('pageSnapshot', Snapshot);
  const call = client().getProxy('pageSnapshot').hang();
  await until(() => assert.equal(stub.pending.size, 1));
  await pub.close();
  await assert.rejects(call, {name: 'ProviderGone', source: 'hub', status: 502});
});

test('publishing one name twice throws as Pandora did; bad names throw before anything is sent', async () => {
  const c = client();
  await c.publishObject('pageSnapshot', Snapshot);
  await assert.rejects(c.publishObject('pageSnapshot', Snapshot), /object called pageSnapshot already exist/);
  await assert.rejects(c.publishObject('bad name', Snapshot), TypeError);
  await assert.rejects(c.publishObject('x', 42), TypeError);
});

test('a publish the hub rejects fails publishObject and is forgotten', async () => {
  const c = client();
  stub.rejectNames.add('refused');
  await assert.rejects(c.publishObject('refused', Snapshot), {name: 'Rejected', source: 'hub'});
  stub.rejectNames.clear();
  await c.publishObject('refused', Snapshot); // no "already exist": the rejected one was dropped
  assert.ok(stub.providers.has('refused'));
});

test('{name, tag} publishes as name.tag', async () => {
  await client().publishObject({name: 'pageSnapshot', tag: 'v2'}, Snapshot);
  assert.ok(stub.providers.has('pageSnapshot.v2'));
  const r = await client().getProxy({name: 'pageSnapshot', tag: 'v2'}).take('u', 1);
  assert.equal(r.url, 'u');
});

test('unpublish withdraws the object', async () => {
  const c = client();
  await c.publishObject('pageSnapshot', Snapshot);
  await c.unpublish('pageSnapshot');
  assert.ok(stub.frames.some((f) => f.op === 'unpublish' && f.object === 'pageSnapshot'));
  await assert.rejects(c.getProxy('pageSnapshot').take(), {name: 'ObjectNotFound'});
  await c.publishObject('pageSnapshot', Snapshot); // and may publish it again
});

test('only published methods are callable: an invoke for __proto__ or an unknown object answers an error', async () => {
  await client().publishObject('pageSnapshot', Snapshot);
  const ws = stub.providers.get('pageSnapshot').ws;
  ws.send(JSON.stringify({op: 'invoke', id: 'x1', object: 'pageSnapshot', method: '__proto__', args: []}));
  ws.send(JSON.stringify({op: 'invoke', id: 'x2', object: 'other', method: 'take', args: []}));
  await until(() => assert.equal(stub.frames.filter((f) => f.op === 'error').length, 2));
  const errs = stub.frames.filter((f) => f.op === 'error');
  assert.equal(errs.find((f) => f.id === 'x1').error.name, 'MethodNotFound');
  assert.equal(errs.find((f) => f.id === 'x2').error.name, 'ObjectNotFound');
});

test('broadcast reaches every subscriber with data and sender; unsubscribe stops delivery', async () => {
  const a = client();
  const b = client();
  const got = {a: [], b: []};
  const onA = (data, from) => got.a.push({data, from});
  await a.subscribe('cache.flush', onA);
  await b.subscribe('cache.flush', (data) => got.b.push({data}));
  // subscribe is not acknowledged (PROTOCOL-NOTES.md #1): warm up until the stub has both subscriptions.
  await until(async () => assert.equal(await client().broadcast('cache.flush', 'warmup'), 2));
  assert.equal(await client().broadcast('cache.flush', {keys: ['x']}), 2);
  const real = (list) => list.filter((g) => g.data !== 'warmup');
  await until(() => assert.equal(real(got.a).length + real(got.b).length, 2));
  assert.deepEqual(real(got.a), [{data: {keys: ['x']}, from: {pod: 'stub-pod', process: 'stub'}}]);
  assert.deepEqual(real(got.b), [{data: {keys: ['x']}}]);

  await a.unsubscribe('cache.flush', onA);
  await until(async () => assert.equal(await client().broadcast('cache.flush', 1), 1));
});

test('bad event names throw before anything is sent', async () => {
  const c = client();
  await assert.rejects(c.subscribe('a b', () => {}), TypeError);
  await assert.rejects(c.broadcast('9lives', 1), TypeError);
  assert.equal(stub.frames.length, 0);
});

test('a throwing subscriber does not stop the others', async () => {
  const c = client();
  const errors = [];
  c.on('handlerError', (err) => errors.push(err.message));
  let got = null;
  await c.subscribe('e', () => { throw new Error('boom'); });
  await c.subscribe('e', async () => { throw new Error('async boom'); });
  await c.subscribe('e', (d) => { got = d; });
  await until(async () => assert.equal(await client().broadcast('e', 'data'), 1));
  await until(() => assert.equal(got, 'data'));
  await until(() => assert.deepEqual(errors.sort(), ['async boom', 'boom']));
});

test('context comes from the sidecar', async () => {
  assert.deepEqual(await client().context(),
    {group: 'shop', process: 'web', namespace: 'default', pod: 'shop-web-1', podIP: '10.0.0.7'});
});

test('publish and subscribe give up after ackTimeout while no sidecar answers, leaving nothing behind', async () => {
  const port = stub.port;
  await stub.stop();
  const c = client({url: `http://127.0.0.1:${port}`, ackTimeout: 300});
  await assert.rejects(c.publishObject('pageSnapshot', Snapshot), {name: 'Timeout', code: 'ACK_TIMEOUT'});
  await assert.rejects(c.subscribe('e', () => {}), {name: 'Timeout', code: 'ACK_TIMEOUT'});
  assert.equal(c.publisher.objects.size + c.events.handlers.size, 0);
  stub = await new StubHub().start(port); // for afterEach
  await c.close();
  await assert.rejects(c.publishObject('pageSnapshot', Snapshot), {name: 'Closed'});
});

test('an unreachable sidecar fails fast with HubUnavailable', async () => {
  const port = stub.port;
  await stub.stop();
  const c = new HubClient({url: `http://127.0.0.1:${port}`});
  await assert.rejects(c.invoke('a', 'b', []), {name: 'HubUnavailable', source: 'hub', code: 'ECONNREFUSED'});
  stub = await new StubHub().start(port); // for afterEach
});

test('after a sidecar restart the client re-publishes and re-subscribes', async () => {
  const pub = client();
  const sub = client();
  const port = stub.port;
  const events = [];
  await pub.publishObject('pageSnapshot', Snapshot);
  await sub.subscribe('cache.flush', (d) => events.push(d));
  let reconnects = 0;
  pub.on('connect', () => reconnects++);

  await stub.stop();
  stub = await new StubHub().start(port);
  await until(() => assert.ok(stub.providers.has('pageSnapshot')));
  assert.equal(reconnects, 1);
  const r = await client().getProxy('pageSnapshot').take('after', 2);
  assert.equal(r.url, 'after');
  await until(() => assert.ok(stub.subscribers.get('cache.flush')?.size === 1));
  assert.equal(await client().broadcast('cache.flush', 'again'), 1);
  await until(() => assert.deepEqual(events, ['again']));
});

test('the module-level API uses PROCGROUP_HUB_URL and Pandora\'s accessors read the env', async () => {
  const nodeEnvBefore = process.env.NODE_ENV;
  process.env.PROCGROUP_HUB_URL = stub.url;
  process.env.PROCGROUP_PROCESS = 'background';
  process.env.PROCGROUP_GROUP = 'shop';
  const hub = require('..');
  try {
    await hub.publishObject('pageSnapshot', Snapshot);
    assert.equal((await hub.getProxy('pageSnapshot').take('m', 3)).url, 'm');
    assert.equal(hub.getHub().getHubClient(), hub.getHubClient());
    assert.equal(hub.processName, 'background');
    assert.equal(hub.appName, 'shop');
    for (const [nodeEnv, env] of [['production', 'production'], ['unittest', 'test'], [undefined, 'development']]) {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
      assert.equal(hub.env, env);
    }
  } finally {
    await hub.close();
    for (const k of ['PROCGROUP_HUB_URL', 'PROCGROUP_PROCESS', 'PROCGROUP_GROUP']) delete process.env[k];
    if (nodeEnvBefore === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnvBefore;
  }
});

'use strict';

// Two web replicas and one real redis-server, started as procgroup.yaml starts them (its redis script, its web
// arguments), without Kubernetes: what one replica writes the other reads, and nothing is lost with a replica.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {RedisServer, WebReplica, rawCommand, waitFor} = require('./support');

const password = crypto.randomBytes(12).toString('hex');
const redis = new RedisServer(password);
const a = new WebReplica('web-a', redis);
const b = new WebReplica('web-b', redis);

test.before(async () => {
  await redis.start();
  await Promise.all([a.start(), b.start()]);
});

test.after(async () => {
  await Promise.all([a.stop(), b.stop()]);
  await redis.remove();
});

const incr = async (replica, name) => {
  const r = await replica.json(`/counters/${name}`, {method: 'POST'});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.servedBy, replica.name);
  assert.equal(r.res.headers.get('x-served-by'), replica.name);
  return r.body.value;
};

test('increments through both replicas count one sequence, and both read the same total', async () => {
  const seen = [];
  for (let i = 0; i < 10; i++) seen.push(await incr(i % 2 ? b : a, 'alternating'));
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (const r of [a, b]) assert.deepEqual((await r.json('/counters/alternating')).body, {name: 'alternating', value: 10, servedBy: r.name});
  assert.equal((await a.json('/counters/never-touched')).body.value, 0);
});

test('200 concurrent increments spread over both replicas lose none and give each value once', async () => {
  const values = await Promise.all(Array.from({length: 200}, (_, i) => incr(i % 2 ? a : b, 'concurrent')));
  assert.deepEqual(values.sort((x, y) => x - y), Array.from({length: 200}, (_, i) => i + 1));
  assert.equal((await b.json('/counters/concurrent')).body.value, 200);
});

test('a session created through one replica is read, counted and ended through the other', async () => {
  const created = await a.json('/session', {method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify({user: 'ada', cart: [1, 2]})});
  assert.equal(created.status, 201);
  const setCookie = created.res.headers.get('set-cookie');
  assert.match(setCookie, /^sid=[0-9a-f-]{36}; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/);
  const sid = setCookie.split(';')[0];
  assert.equal(created.body.createdBy, 'web-a');

  const read = await b.json('/session', {headers: {cookie: sid}});
  assert.equal(read.status, 200);
  assert.deepEqual(read.body.data, {user: 'ada', cart: [1, 2]});
  assert.equal(read.body.id, created.body.id);
  assert.equal(read.body.createdBy, 'web-a');
  assert.equal(read.body.lastSeenBy, 'web-b');
  assert.equal(read.body.views, 1);
  assert.equal((await a.json('/session', {headers: {cookie: sid}})).body.views, 2);

  assert.equal((await b.json('/session', {method: 'DELETE', headers: {cookie: sid}})).status, 204);
  const gone = await a.json('/session', {headers: {cookie: sid}});
  assert.equal(gone.status, 404);
  assert.match(gone.body.error.message, /no such session/);
});

test('bad input is a 400 or 404 and never reaches Redis', async () => {
  assert.equal((await a.json('/counters/a%20b', {method: 'POST'})).status, 400);
  assert.equal((await a.json('/counters/%zz', {method: 'POST'})).status, 400);
  assert.equal((await a.json('/session', {method: 'POST', body: '[1]'})).status, 400);
  assert.equal((await a.json('/session', {method: 'POST', body: 'nope'})).status, 400);
  assert.equal((await a.json('/session', {method: 'POST', body: JSON.stringify({s: 'x'.repeat(9000)})})).status, 413);
  assert.equal((await a.json('/session', {headers: {cookie: 'sid=forged'}})).status, 404);
  assert.equal((await a.json('/session')).status, 404);
  assert.equal((await a.json('/nothing')).status, 404);
  assert.equal((await a.json('/counters/x', {method: 'DELETE'})).status, 405);
});

test('Redis as configured in procgroup.yaml: no command without the password, no dangerous command with it (FLUSHALL, CONFIG, KEYS, ACL, SHUTDOWN, REPLICAOF)', async () => {
  assert.match(await rawCommand(redis.port, 'GET counter:alternating'), /^-NOAUTH /);
  for (const cmd of ['FLUSHALL', 'CONFIG GET requirepass', 'KEYS *', 'ACL SETUSER intruder on >x +@all', 'SHUTDOWN', 'REPLICAOF 10.0.0.1 6379']) {
    // AUTH and the command in one write: the second reply line is the command's.
    const reply = await new Promise((resolve, reject) => {
      const s = require('node:net').connect(redis.port, '127.0.0.1', () => s.write(`AUTH ${password}\r\n${cmd}\r\n`));
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (d) => { buf += d; const l = buf.split('\r\n'); if (l.length > 2) { s.destroy(); resolve(l[1]); } });
      s.on('error', reject);
    });
    assert.match(reply, /^-NOPERM /, cmd);
  }
});

test('a replica killed outright loses nothing: the other one has every count and session', async () => {
  await incr(a, 'survivor');
  const sid = (await a.json('/session', {method: 'POST', body: '{"user":"grace"}'})).res.headers.get('set-cookie').split(';')[0];
  await a.stop('SIGKILL');
  assert.equal(await incr(b, 'survivor'), 2);
  assert.deepEqual((await b.json('/session', {headers: {cookie: sid}})).body.data, {user: 'grace'});
  await a.start();                                    // its replacement, as the Deployment starts one
  assert.equal((await a.json('/counters/survivor')).body.value, 2);
});

test('while Redis is down the replicas answer 503 (not ready) at once, and recover with the data of its append-only file', async () => {
  const before = (await a.json('/counters/concurrent')).body.value;
  await redis.stop('SIGTERM');
  for (const r of [a, b]) {
    await waitFor(async () => (await r.fetch('/healthz')).status === 503, `${r.name} unhealthy`);
    const t0 = Date.now();
    const failed = await r.json('/counters/concurrent', {method: 'POST'});
    assert.equal(failed.status, 503);
    assert.match(failed.body.error.message, /^redis: /);
    assert.ok(Date.now() - t0 < 1000, 'fails fast, nothing queued');
  }
  await redis.start();                                // same port, same data directory: as a container restart
  for (const r of [a, b]) await waitFor(async () => (await r.fetch('/healthz')).status === 200, `${r.name} healthy again`);
  assert.equal((await b.json('/counters/concurrent')).body.value, before);
  assert.equal(await incr(a, 'concurrent'), before + 1);
});

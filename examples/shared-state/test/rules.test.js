'use strict';

// The key and input rules of the store and the HTTP layer's parsing: pure functions.
const test = require('node:test');
const assert = require('node:assert/strict');
const {counterKey, sessionKey, sessionData, InvalidInput, MAX_SESSION_BYTES} = require('../lib/store');
const {cookie, sessionCookie, statusOf, HttpError} = require('../lib/http');

test('counter names map to counter:<name>; anything else is refused before it reaches Redis', () => {
  assert.equal(counterKey('visits'), 'counter:visits');
  assert.equal(counterKey('a.b_c-9'), 'counter:a.b_c-9');
  assert.equal(counterKey('x'.repeat(64)), `counter:${'x'.repeat(64)}`);
  for (const bad of ['', '-x', '.x', 'a b', 'a:b', 'a*', 'x'.repeat(65), 'é']) {
    assert.throws(() => counterKey(bad), InvalidInput, JSON.stringify(bad));
  }
});

test('only a well-formed session id (a v4 UUID) names a key: a forged cookie reaches none', () => {
  const id = require('node:crypto').randomUUID();
  assert.equal(sessionKey(id), `session:${id}`);
  for (const bad of [undefined, '', 'x', '*', `${id}*`, id.toUpperCase(), '00000000-0000-0000-0000-000000000000', '../etc']) {
    assert.equal(sessionKey(bad), null, JSON.stringify(bad));
  }
});

test('session data is a JSON object of at most 4 KiB', () => {
  assert.equal(sessionData({user: 'ada'}), '{"user":"ada"}');
  for (const bad of [null, [], 'x', 1]) assert.throws(() => sessionData(bad), /must be a JSON object/);
  assert.throws(() => sessionData({s: 'x'.repeat(MAX_SESSION_BYTES)}), /larger than 4096 bytes/);
});

test('the sid cookie is found among others; the Set-Cookie is HttpOnly and SameSite', () => {
  assert.equal(cookie('a=1; sid=abc; b=2', 'sid'), 'abc');
  assert.equal(cookie('xsid=1; sid = abc', 'sid'), 'abc');
  assert.equal(cookie('a=1', 'sid'), undefined);
  assert.equal(cookie(undefined, 'sid'), undefined);
  assert.equal(sessionCookie('abc', 60), 'sid=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax');
});

test('HTTP status: ours by kind, bad input 400, anything from Redis 503', () => {
  assert.equal(statusOf(new HttpError(404, 'x')), 404);
  assert.equal(statusOf(new InvalidInput('x')), 400);
  assert.equal(statusOf(new Error('The client is offline')), 503);
});

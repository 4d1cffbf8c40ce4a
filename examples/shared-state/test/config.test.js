'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const {configFrom, ConfigError} = require('../lib/config');

const env = {REDIS_URL: 'redis://shared-state-redis:6379', REDIS_PASSWORD: 'pw', PROCGROUP_POD_NAME: 'shared-state-web-abc'};

test('the settings procgroup.yaml passes', () => {
  assert.deepEqual(configFrom(env, ['--port', '8080', '--session-ttl-seconds', '1800']), {
    port: 8080, redisUrl: 'redis://shared-state-redis:6379', redisPassword: 'pw', sessionTtlSeconds: 1800,
    replica: 'shared-state-web-abc',
  });
});

test('defaults: port 8080 (or PORT), sessions of 30 minutes, the host name as the replica', () => {
  const c = configFrom({REDIS_URL: 'redis://r', REDIS_PASSWORD: 'pw'}, []);
  assert.equal(c.port, 8080);
  assert.equal(c.sessionTtlSeconds, 1800);
  assert.equal(c.replica, require('node:os').hostname());
  assert.equal(c.redisUrl, 'redis://r');
  assert.equal(configFrom({...env, PORT: '9000'}, []).port, 9000);
});

test('Redis must be named and guarded: no URL, no password, credentials in the URL, another scheme are refused', () => {
  assert.throws(() => configFrom({REDIS_PASSWORD: 'pw'}, []), /REDIS_URL is not set/);
  assert.throws(() => configFrom({REDIS_URL: 'redis://r'}, []), /REDIS_PASSWORD is not set/);
  assert.throws(() => configFrom({...env, REDIS_URL: 'redis://:pw@r:6379'}, []), /must not carry credentials/);
  assert.throws(() => configFrom({...env, REDIS_URL: 'http://r:6379'}, []), /must be redis:\/\//);
  assert.throws(() => configFrom({...env, REDIS_URL: 'r:6379'}, []), ConfigError);
  assert.throws(() => configFrom({...env, REDIS_URL: 'not a url'}, []), /not a URL/);
});

test('numbers are integers within bounds', () => {
  assert.throws(() => configFrom(env, ['--port', '0']), /--port must be between 1 and 65535/);
  assert.throws(() => configFrom(env, ['--port', '80a']), /--port must be an integer/);
  assert.throws(() => configFrom(env, ['--session-ttl-seconds=-5']), /must be an integer/);
  assert.throws(() => configFrom(env, ['--session-ttl-seconds', String(8 * 24 * 3600)]), /between 1 and 604800/);
});

test('an unknown argument is an error, not ignored', () => {
  assert.throws(() => configFrom(env, ['--prot', '8080']), {code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION'});
});

'use strict';

// The web process's settings, from its environment and arguments (procgroup.yaml sets both). Pure: no I/O, so
// every rule is unit-tested (test/config.test.js).

const {parseArgs} = require('node:util');
const os = require('node:os');

class ConfigError extends Error {}

/** An integer in [min, max] from a string, or `fallback` when it is absent. */
function int(name, raw, fallback, min, max) {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** redis://host[:port]: the Redis process's Service by its DNS name. The password never goes in the URL. */
function redisUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`REDIS_URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'redis:') throw new ConfigError(`REDIS_URL must be redis://host[:port], got ${url.protocol}`);
  if (url.username || url.password) throw new ConfigError('REDIS_URL must not carry credentials: set REDIS_PASSWORD');
  if (!url.hostname) throw new ConfigError('REDIS_URL has no host');
  return `redis://${url.host}`;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} argv the program's arguments (after the script)
 */
function configFrom(env, argv) {
  const {values} = parseArgs({args: argv, strict: true, options: {
    port: {type: 'string'},
    'session-ttl-seconds': {type: 'string'},
  }});
  if (!env.REDIS_URL) throw new ConfigError('REDIS_URL is not set (redis://<group>-redis:6379, the Redis process\'s Service)');
  if (!env.REDIS_PASSWORD) throw new ConfigError('REDIS_PASSWORD is not set (from the group\'s Secret)');
  return {
    port: int('--port', values.port ?? env.PORT, 8080, 1, 65535),
    redisUrl: redisUrl(env.REDIS_URL),
    redisPassword: env.REDIS_PASSWORD,
    sessionTtlSeconds: int('--session-ttl-seconds', values['session-ttl-seconds'], 1800, 1, 7 * 24 * 3600),
    // Which replica answered: the pod's name (the operator sets it), so a caller can tell the replicas apart.
    replica: env.PROCGROUP_POD_NAME || os.hostname(),
  };
}

module.exports = {configFrom, ConfigError};

'use strict';

// The state every web replica shares, kept in Redis: named counters and sessions. Nothing is kept in the
// process, so any replica answers any request, and a replica that dies loses nothing.
//
//   counter:<name>   a string holding an integer (INCR is atomic: concurrent increments never collide)
//   session:<id>     a hash {data (JSON), createdBy, createdAt, views, lastSeenBy}, expiring after the TTL
//                    of inactivity (every read renews it)

const crypto = require('node:crypto');

const COUNTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A session's data is the JSON a client sent: an object, small, so that Redis memory stays bounded. */
const MAX_SESSION_BYTES = 4096;

class InvalidInput extends Error {}

const counterKey = (name) => {
  if (!COUNTER_NAME.test(name)) {
    throw new InvalidInput('a counter name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return `counter:${name}`;
};

/** The key of a session id, or null for anything that is not one of ours (a forged cookie reaches no key). */
const sessionKey = (id) => (typeof id === 'string' && SESSION_ID.test(id) ? `session:${id}` : null);

function sessionData(data) {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new InvalidInput('session data must be a JSON object');
  const json = JSON.stringify(data);
  if (Buffer.byteLength(json) > MAX_SESSION_BYTES) throw new InvalidInput(`session data is larger than ${MAX_SESSION_BYTES} bytes`);
  return json;
}

/** A session as the API shows it, from the hash Redis holds. */
function sessionView(id, hash) {
  return {id, data: JSON.parse(hash.data), createdBy: hash.createdBy, createdAt: hash.createdAt,
    views: Number(hash.views), lastSeenBy: hash.lastSeenBy};
}

// Read and renew in one step, server side: a session that expired between an EXISTS and an HINCRBY would
// otherwise come back as a hash with nothing but `views`.
const TOUCH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HINCRBY', KEYS[1], 'views', 1)
redis.call('HSET', KEYS[1], 'lastSeenBy', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('HGETALL', KEYS[1])`;

/** A flat [field, value, ...] reply as an object. */
function pairs(flat) {
  const o = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[flat[i]] = flat[i + 1];
  return o;
}

class SharedStore {
  /**
   * @param {import('@redis/client').RedisClientType} redis a connected client
   * @param {{sessionTtlSeconds: number, replica: string}} opts
   */
  constructor(redis, {sessionTtlSeconds, replica}) {
    this.redis = redis;
    this.ttl = sessionTtlSeconds;
    this.replica = replica;
  }

  async increment(name) {
    return this.redis.incr(counterKey(name));
  }

  async counter(name) {
    const v = await this.redis.get(counterKey(name));
    return v === null ? 0 : Number(v);
  }

  async createSession(data) {
    const json = sessionData(data);
    const id = crypto.randomUUID();
    const key = sessionKey(id);
    const createdAt = new Date().toISOString();
    await this.redis.multi()
      .hSet(key, {data: json, createdBy: this.replica, createdAt, views: '0', lastSeenBy: this.replica})
      .expire(key, this.ttl)
      .exec();
    return sessionView(id, {data: json, createdBy: this.replica, createdAt, views: '0', lastSeenBy: this.replica});
  }

  /** The session (its views counted, its expiry renewed), or null when there is none. */
  async session(id) {
    const key = sessionKey(id);
    if (key === null) return null;
    const flat = await this.redis.eval(TOUCH, {keys: [key], arguments: [this.replica, String(this.ttl)]});
    return flat ? sessionView(id, pairs(flat)) : null;
  }

  /** @returns {Promise<boolean>} whether there was such a session */
  async endSession(id) {
    const key = sessionKey(id);
    return key !== null && (await this.redis.del(key)) === 1;
  }

  async ping() {
    return this.redis.ping();
  }
}

module.exports = {SharedStore, InvalidInput, counterKey, sessionKey, sessionData, MAX_SESSION_BYTES};

'use strict';

// The web tier (order 1, scaled): an HTTP server whose every bit of state is in Redis (order 0), so the
// replicas share counters and sessions and any of them may be killed without losing any.
//
//   REDIS_URL=redis://shared-state-redis:6379 REDIS_PASSWORD=... node web.js [--port 8080] [--session-ttl-seconds 1800]
//
// Redis is found by its Service's DNS name (the operator makes <group>-redis for the redis process's port).

const http = require('node:http');
const {createClient} = require('@redis/client');
const {configFrom, ConfigError} = require('./lib/config');
const {SharedStore} = require('./lib/store');
const {createHandler} = require('./lib/http');

const log = (msg) => console.log(`${new Date().toISOString()} web ${msg}`);

let config;
try {
  config = configFrom(process.env, process.argv.slice(2));
} catch (err) {
  if (!(err instanceof ConfigError) && !String(err.code).startsWith('ERR_PARSE_ARGS')) throw err;
  console.error(`web: ${err.message}`);
  process.exit(2);
}

const redis = createClient({
  url: config.redisUrl,
  password: config.redisPassword,
  // Redis 7.0 has no CLIENT SETINFO; and who connects is in the pod's name anyway.
  disableClientInfo: true,
  // While Redis is unreachable a request fails at once (503) instead of queueing: readiness turns false,
  // the Service stops sending traffic here, and nothing piles up in memory.
  disableOfflineQueue: true,
  commandOptions: {timeout: 2000},
  socket: {
    connectTimeout: 2000,
    // Reconnect for ever (Redis restarting is a normal event), backing off to one try a second.
    reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 1000),
  },
});
let lastError = '';
redis.on('error', (err) => {
  // Logged once per distinct error, not at every reconnect attempt.
  if (err.message !== lastError) log(`redis: ${err.message}`);
  lastError = err.message;
});
redis.on('ready', () => {
  lastError = '';
  log(`redis ${config.redisUrl} ready`);
});

const store = new SharedStore(redis, config);
const server = http.createServer(createHandler(store, {...config, log}));
server.keepAliveTimeout = 5000;

// Listen at once: /healthz answers 503 until Redis does, which is what the readiness probe needs to see.
server.listen(config.port, () => log(`listening on :${config.port} as ${config.replica}`));
redis.connect().catch((err) => log(`redis connect: ${err.message}`));

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  log('SIGTERM: closing');
  server.close(async () => {
    await redis.close().catch(() => redis.destroy());
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
});

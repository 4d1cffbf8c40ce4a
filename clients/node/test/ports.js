'use strict';

// Ports for servers a test starts a moment later (a sidecar whose peers must know its address up front).
// A port picked by listen(0) and closed again comes from the kernel's ephemeral range, the same range every
// outgoing connection takes its source port from: between the pick and the sidecar's bind, any fetch can take
// it ("Address already in use", seen in CI). So ports are picked below that range, never twice per process,
// and checked free by a bind of our own.

const fs = require('node:fs');
const net = require('node:net');

const LOW = 10000;
const HIGH = ephemeralLow();
const handedOut = new Set();

function ephemeralLow() {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (low > LOW + 1000) return low;
  } catch (_) { /* not Linux: the IANA range starts here */ }
  return 32768;
}

function canListen(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freePort() {
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port in ${LOW}-${HIGH}`);
}

module.exports = {freePort};

'use strict';

const {setTimeout: sleep} = require('node:timers/promises');

/** Retries `check` (sync or async, throwing while not yet true) every 25 ms until it passes or `ms` elapse. */
async function until(check, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await sleep(25);
    }
  }
}

module.exports = {until};

'use strict';

// What `require('puppeteer')` gives services/PageSnapshot.js (unchanged). Pandora's example used puppeteer 0.13,
// which downloaded its own Chromium at install time; here nothing is downloaded (no egress): puppeteer-core 21
// (whose page.screenshot() still returns a Buffer, so `buf.toString('base64')` holds) drives the image's Chromium.
// launch() adds what puppeteer-core has no default for, and what a restricted pod needs:
//   executablePath  /usr/bin/chromium (Debian's, in docker.io/procgroup/node-chromium), or PUPPETEER_EXECUTABLE_PATH
//   --no-sandbox    the pod may not create the namespaces Chromium's sandbox needs (no privileges, seccomp default)
//   --disable-dev-shm-usage   /dev/shm is a small tmpfs in a pod; Chromium writes its shared memory to /tmp instead
// Everything else is puppeteer-core's own.
const core = require('puppeteer-core');

const RESTRICTED_POD_FLAGS = ['--no-sandbox', '--disable-dev-shm-usage'];

module.exports = Object.create(core, {
  launch: {
    enumerable: true,
    value: (options = {}) => core.launch({
      executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
      headless: 'new',
      ...options,
      args: [...RESTRICTED_POD_FLAGS, ...(options.args || [])],
    }),
  },
});

#!/usr/bin/env node
'use strict';
// procgroup-procfile [procfile.js]: starts the services the procfile declares for this process (PROCGROUP_PROCESS),
// as Pandora's daemon did in each process it forked; SIGTERM (the pod stopping) unpublishes and stops them.
const {run} = require('../lib/procfile');
const hub = require('../lib/index');

(async () => {
  let runner;
  try {
    runner = await run(process.argv[2] || 'procfile.js');
  } catch (err) {
    console.error('procgroup-procfile: start failed:', err);
    await hub.close();
    process.exit(1);
  }
  console.log(`procgroup-procfile: process ${process.env.PROCGROUP_PROCESS} started ${runner.services.join(', ') || 'no services'}`);
  // Pandora's daemon kept a process whose services hold nothing open; a ProcessGroup would restart one that exits.
  const keepAlive = setInterval(() => {}, 1 << 30);
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    let code = 0;
    try { await runner.stop(); } catch (err) { console.error('procgroup-procfile: stop failed:', err); code = 1; }
    await hub.close();
    console.log(`procgroup-procfile: stopped on ${signal}`);
    process.exit(code);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
})();

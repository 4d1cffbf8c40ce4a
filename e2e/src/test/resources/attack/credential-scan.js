// Run by ProcgroupE2E inside an app container (node -e): tries, as the app's user, every way to the sidecar's
// credentials the pod gives it, and prints one JSON line. stdin, a line each: the needles (slices of the sidecar's
// real tokens), then "--control" and a value that must be found (the app's own environment: proves the scan reads
// what it can). Not argv: the needles would be in this process's own cmdline. Bounded: at most 20000 files, 256 KiB
// read of each.
const fs = require('fs');
const args = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean);
const at = args.indexOf('--control');
const needles = args.slice(0, at), control = args[at + 1];
const out = {uid: process.getuid(), gid: process.getgid(), scanned: 0, hits: [], controlHits: [], sidecarPids: [],
  attempts: {}, mounts: [], env: Object.keys(process.env).filter(k => /TOKEN|SECRET|PASSWORD|KEY/i.test(k)),
  serviceAccountDir: fs.existsSync('/var/run/secrets/kubernetes.io')};

function look(path) {
  if (out.scanned >= 20000) return;
  let buf;
  try {
    const fd = fs.openSync(path, 'r');
    try {
      buf = Buffer.alloc(256 * 1024);
      buf = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, null));
    } finally { fs.closeSync(fd); }
  } catch (e) { return e.code; }
  out.scanned++;
  const text = buf.toString('latin1');
  for (const n of needles) if (text.includes(n)) out.hits.push(path);
  if (text.includes(control)) out.controlHits.push(path);
  return 'READ';
}

function walk(dir, depth) {
  if (depth > 12 || out.scanned >= 20000) return;
  let entries;
  try { entries = fs.readdirSync(dir, {withFileTypes: true}); } catch (e) { return; }
  for (const e of entries) {
    const p = (dir === '/' ? '' : dir) + '/' + e.name;
    if (e.isDirectory()) walk(p, depth + 1);
    else if (e.isFile() || e.isSymbolicLink()) look(p);
  }
}

// 1. Every process of the pod (the process namespace is shared): its environment, command line and root.
const pids = fs.readdirSync('/proc').filter(d => /^\d+$/.test(d));
for (const pid of pids) {
  let status = '';
  try { status = fs.readFileSync(`/proc/${pid}/status`, 'utf8'); } catch (e) { continue; }
  const uid = Number((/^Uid:\s+(\d+)/m.exec(status) || [])[1]);
  if (uid === out.uid) { look(`/proc/${pid}/environ`); look(`/proc/${pid}/cmdline`); continue; }
  if (uid === 0) continue; // the pause process
  out.sidecarPids.push({pid, uid});
  for (const f of ['environ', 'cmdline', 'mem', 'maps', 'fd/0']) out.attempts[`/proc/${pid}/${f}`] = look(`/proc/${pid}/${f}`);
  for (const f of ['fd', 'root', 'root/var/run/secrets', 'cwd', 'map_files']) {
    try { fs.readdirSync(`/proc/${pid}/${f}`); out.attempts[`/proc/${pid}/${f}/`] = 'READ'; }
    catch (e) { out.attempts[`/proc/${pid}/${f}/`] = e.code; }
  }
  for (const f of ['kubernetes.io/serviceaccount/token', 'kubernetes.io/serviceaccount/identity-token',
                   'procgroup.dev/hub/token']) {
    out.attempts[`/proc/${pid}/root/var/run/secrets/${f}`] = look(`/proc/${pid}/root/var/run/secrets/${f}`);
  }
}
// 2. Everything mounted into this container from outside its image (volumes, /etc/hosts and the like).
for (const line of fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
  const [, mnt, type] = line.split(' ');
  if (!mnt || mnt === '/' || /^(proc|sysfs|cgroup2?|devpts|mqueue|securityfs)$/.test(type)) continue;
  if (mnt.startsWith('/proc') || mnt.startsWith('/sys') || mnt.startsWith('/dev')) continue;
  out.mounts.push(mnt);
  if (fs.statSync(mnt, {throwIfNoEntry: false})?.isDirectory()) walk(mnt, 0); else look(mnt);
}
// 3. The usual places, and where a Kubernetes client would look.
for (const d of ['/var/run', '/run', '/tmp', '/etc', '/root', '/home']) walk(d, 0);
console.log('SCAN ' + JSON.stringify(out));

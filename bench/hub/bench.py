#!/usr/bin/env python3
"""Hub benchmark driver (called by run.sh): starts every process once, then runs ROUNDS rounds in which the paths
take turns at each call rate (direct, hop, same pod, Procgroup, pandora-hub, Dapr, then the next rate), reads CPU
and RSS from /proc, and writes bench/results/hub-<date>.md, .json and .png. Every process it starts it also stops,
by pid."""
import datetime
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SIDECAR = os.path.join(ROOT, "sidecar")
TARGET = os.path.join(HERE, "target")
CP = os.path.join(TARGET, "classes") + ":" + os.path.join(SIDECAR, "target", "lib", "*")
APP_JVM = ["java", "-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", CP]


def knob(name, default, kind=float):
    return kind(os.environ.get(name, default))


RATE = knob("BENCH_RATE", "1000")                    # the fixed rate of the table
SWEEP = sorted({float(r) for r in os.environ.get("BENCH_SWEEP_RATES", "250,500,1000,2000").split(",")} | {RATE})
ROUNDS = knob("BENCH_ROUNDS", "3", int)
WARMUP = knob("BENCH_WARMUP_S", "10")                # once per path before the first round (JIT, connections)
STEP_WARMUP = knob("BENCH_STEP_WARMUP_S", "1")       # at the start of every measurement, not measured
MEASURE = knob("BENCH_MEASURE_S", "8")               # at RATE
SWEEP_MEASURE = knob("BENCH_SWEEP_MEASURE_S", "5")   # at the sweep's other rates
SAT_MEASURE = knob("BENCH_SAT_MEASURE_S", "4")
IDLE_S = 8                                           # at rest after start-up, before idle RSS is read
CONNS_RATE = 4
CONNS_SAT = 8
BODY = 1024
CLK = os.sysconf("SC_CLK_TCK")
SAT = "sat"
DAPR_APP_A, DAPR_APP_B = "bench-a", "bench-b"
ADDED_OVER_DIRECT = ("localPublisher", "procgroup", "dapr")

procs = []


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def drain(stream):
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()


def start(cmd, env=None, name="proc"):
    """A process that prints READY on stdout when it serves."""
    p = subprocess.Popen(cmd, env=dict(os.environ, **(env or {})), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    procs.append(p)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            raise RuntimeError(f"{name} exited: {p.stderr.read()[-2000:]}")
        if line.startswith("READY"):
            drain(p.stdout)  # the child must never block on a full pipe
            drain(p.stderr)
            return p
    raise RuntimeError(f"{name} not ready in 60 s")


def http_status(method, url, body=None, timeout=2.0):
    req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def start_polled(cmd, env, name, ready_url, log_path):
    """A process without a READY line (daprd): its output goes to a file, readiness is polled over HTTP."""
    out = open(log_path, "w")
    p = subprocess.Popen(cmd, env=dict(os.environ, **env), stdout=out, stderr=subprocess.STDOUT)
    procs.append(p)
    deadline = time.time() + 60
    while time.time() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"{name} exited ({p.returncode}): {open(log_path).read()[-2000:]}")
        if http_status("GET", ready_url, timeout=0.5) in (200, 204):
            return p
        time.sleep(0.1)
    raise RuntimeError(f"{name} not ready in 60 s (log: {log_path})")


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_mib(pid, key="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def memory_mib(pid):
    """RSS split into anonymous and file-backed pages (a binary's text, libjvm, the CDS archive: shared with any
    other process mapping the same file), and PSS, where shared pages count once across the processes sharing them."""
    out = {"rssAnon": rss_mib(pid, "RssAnon"), "rssFile": rss_mib(pid, "RssFile")}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                out["pss"] = int(line.split()[1]) / 1024
    return {k: round(v, 1) for k, v in out.items()}


class RssSampler:
    """Max RSS of some processes while a measurement runs (every 100 ms)."""

    def __init__(self, pids):
        self.max = {p: 0.0 for p in pids}
        self.running = True
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while self.running:
            for p in self.max:
                try:
                    self.max[p] = max(self.max[p], rss_mib(p))
                except OSError:
                    pass
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.t.join()
        return self.max


def loadgen(port, method, path, body):
    def run(rate, conns, warmup, measure):
        out = subprocess.run(["java", "-XX:+UseSerialGC", "-Xmx256m", "-cp", CP, "LoadGen", "127.0.0.1", str(port),
                              method, path, str(body), str(rate), str(conns), str(warmup), str(measure)],
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])
    return run


class Path:
    """One way of making the call: how to drive it, which processes' CPU and RSS to read (role -> pid)."""

    def __init__(self, key, label, run, watch, sweep):
        self.key, self.label, self.run, self.watch, self.sweep = key, label, run, watch, sweep


def measure(path, rate, rnd):
    sat = rate == SAT
    seconds = SAT_MEASURE if sat else (MEASURE if rate == RATE else SWEEP_MEASURE)
    conns = CONNS_SAT if sat else CONNS_RATE
    load0 = loadavg()[0]
    pids = dict(path.watch)
    cpu0 = {r: cpu_seconds(p) for r, p in pids.items()}
    sampler = RssSampler(list(pids.values()))
    stats = path.run(0 if sat else rate, conns, STEP_WARMUP, seconds)
    rss = sampler.stop()
    cpu = {r: cpu_seconds(p) - cpu0[r] for r, p in pids.items()}
    calls = max(1, stats.get("total", stats["count"]))
    rec = {"path": path.key, "round": rnd, "rate": rate, "stats": stats, "loadavg1": [load0, loadavg()[0]],
           "cpuPer1000": {r: round(c / calls * 1000, 4) for r, c in cpu.items()},
           "rssMaxMiB": {r: round(rss[p], 1) for r, p in pids.items()}}
    log(f"round {rnd} {path.key} @ {rate}: p50 {stats['p50Us']:.0f} p99 {stats['p99Us']:.0f} us, "
        f"{stats['rps']:.0f}/s, errors {stats['errors']}, load {rec['loadavg1'][0]} -> {rec['loadavg1'][1]}")
    return rec


def dapr_config(work):
    """Standalone daprd: mDNS name resolution (its default, spelled out), tracing off (Procgroup's hub has none yet),
    no resources (components), no placement or scheduler (no actors, jobs or workflows)."""
    os.makedirs(os.path.join(work, "resources"), exist_ok=True)
    cfg = os.path.join(work, "config.yaml")
    with open(cfg, "w") as f:
        f.write("apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: bench\nspec:\n"
                "  tracing:\n    samplingRate: \"0\"\n  nameResolution:\n    component: mdns\n")
    return cfg


def start_daprd(daprd, app_id, work, app_port=None):
    ports = {k: free_port() for k in ("http", "grpc", "internal", "metrics")}
    cmd = [daprd, "--mode", "standalone", "--app-id", app_id, "--log-level", "warn",
           "--dapr-http-port", str(ports["http"]), "--dapr-grpc-port", str(ports["grpc"]),
           "--dapr-internal-grpc-port", str(ports["internal"]), "--metrics-port", str(ports["metrics"]),
           "--dapr-listen-addresses", "127.0.0.1", "--dapr-internal-grpc-listen-address", "127.0.0.1",
           "--metrics-listen-address", "127.0.0.1", "--config", dapr_config(work),
           "--resources-path", os.path.join(work, "resources"), "--enable-mtls=false"]
    if app_port:
        cmd += ["--app-port", str(app_port), "--app-protocol", "http", "--app-channel-address", "127.0.0.1"]
    # DAPR_HOST_IP: the address daprd announces over mDNS, so that daprd-to-daprd gRPC stays on loopback.
    p = start_polled(cmd, {"DAPR_HOST_IP": "127.0.0.1"}, f"daprd {app_id}",
                     f"http://127.0.0.1:{ports['http']}/v1.0/healthz", os.path.join(work, f"daprd-{app_id}.log"))
    return p, ports


def wait_for(what, fn, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if fn():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not within {seconds} s")


def versions(daprd):
    def out(cmd):
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout + r.stderr).strip()
    model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = next((ln.split()[1] for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), "0")
    # the sidecar's own last commit names what was measured even after the branch is rebased
    commit = out(["git", "-C", ROOT, "log", "-1", "--format=%h", "--", "sidecar"])
    dirty = out(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "sidecar"])
    return {"cpuModel": model, "memGiB": round(int(mem) / 1024 / 1024, 1), "kernel": platform.release(),
            "java": out(["java", "-version"]).splitlines()[0], "node": out(["node", "--version"]),
            "daprd": out([daprd, "--version"]),
            "pandoraHub": json.load(open(os.path.join(HERE, "node_modules", "pandora-hub", "package.json")))["version"],
            "procgroupCommit": f"sidecar as of {commit}" + (" + uncommitted changes" if dirty else "")}


def main():
    daprd = os.environ.get("BENCH_DAPRD")
    if not daprd or not os.access(daprd, os.X_OK):
        sys.exit("BENCH_DAPRD must name the daprd binary: run bench/hub/run.sh, which builds it")
    started = time.time()
    results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "host": platform.node(), "cpus": os.cpu_count(), "loadavgBefore": loadavg(), **versions(daprd),
               "rate": RATE, "sweepRates": SWEEP, "rounds": ROUNDS, "bodyBytes": BODY, "connsFixed": CONNS_RATE,
               "connsSaturation": CONNS_SAT, "warmupS": WARMUP, "stepWarmupS": STEP_WARMUP, "measureS": MEASURE,
               "sweepMeasureS": SWEEP_MEASURE, "saturationS": SAT_MEASURE, "measurements": []}
    invoke = "/v1/invoke/echo/say"
    try:
        log("starting: echo server, sidecars a, b, c with publishers on b and c, pandora hub, two daprd")
        echo_port = free_port()
        echo = start(APP_JVM + ["EchoServer", str(echo_port)], name="echo server")

        ports = {k: free_port() for k in ("ah", "ap", "am", "bh", "bp", "bm", "ch", "cp", "cm")}
        common = {"PROCGROUP_GROUP": "bench", "PROCGROUP_HUB_TOKEN": "bench-token", "PROCGROUP_APP_METRICS": "off",
                  "PROCGROUP_PEER_HOST": "127.0.0.1", "PROCGROUP_METRICS_HOST": "127.0.0.1"}

        def sidecar(pod, process, peers):
            return start(["bash", os.path.join(SIDECAR, "run.sh")], dict(
                common, PROCGROUP_PROCESS=process, PROCGROUP_POD_NAME=pod, PROCGROUP_HUB_PORT=str(ports[pod + "h"]),
                PROCGROUP_PEER_PORT=str(ports[pod + "p"]), PROCGROUP_METRICS_PORT=str(ports[pod + "m"]),
                PROCGROUP_STATIC_PEERS=",".join(f"{q}=127.0.0.1:{ports[q + 'p']}" for q in peers)), f"sidecar {pod}")

        t0 = time.time()
        a = sidecar("a", "web", ["b"])
        results["sidecarReadyMs"] = round((time.time() - t0) * 1000)
        b = sidecar("b", "background", ["a"])
        # c: the same-pod path. Its own publisher answers first (local provider first); a sees only b, so a's calls
        # always take two hops.
        c = sidecar("c", "worker", ["b"])
        start(APP_JVM + ["Publisher", str(ports["bh"])], name="publisher b")
        start(APP_JVM + ["Publisher", str(ports["ch"])], name="publisher c")

        pandora_tmp = os.path.join(TARGET, "pandora-tmp")
        os.makedirs(pandora_tmp, exist_ok=True)
        penv = {"PANDORA_TMP_DIR": pandora_tmp, "NODE_PATH": os.path.join(HERE, "node_modules")}
        pjs = os.path.join(HERE, "pandora.js")
        phub = start(["node", pjs, "hub"], penv, "pandora hub")
        pprov = start(["node", pjs, "provider"], penv, "pandora provider")

        dapr_work = os.path.join(TARGET, "dapr")
        da, da_ports = start_daprd(daprd, DAPR_APP_A, dapr_work)
        db, _ = start_daprd(daprd, DAPR_APP_B, dapr_work, app_port=echo_port)
        dapr_invoke = f"/v1.0/invoke/{DAPR_APP_B}/method/echo"
        body = json.dumps(["x" * (BODY - 4)]).encode()
        wait_for("daprd a reaches app b through daprd b (mDNS)", lambda: http_status(
            "POST", f"http://127.0.0.1:{da_ports['http']}{dapr_invoke}", body) == 200)

        time.sleep(IDLE_S)  # at rest: past the start-up JIT burst and one native-heap trim
        watched = {"sidecar a": a, "sidecar b": b, "sidecar c": c, "pandora hub": phub, "daprd a": da, "daprd b": db}
        results["rssIdleMiB"] = {r: round(rss_mib(p.pid), 1) for r, p in watched.items()}
        results["memIdleMiB"] = {r: memory_mib(p.pid) for r, p in watched.items()}

        paths = [
            Path("direct", "direct HTTP app -> app", loadgen(echo_port, "POST", "/echo", BODY), {}, True),
            Path("hop", "app -> local sidecar hop (GET /v1/context)", loadgen(ports["ah"], "GET", "/v1/context", 0),
                 {"sidecar a": a.pid}, False),
            Path("localPublisher", "app -> sidecar -> publisher in the same pod (WebSocket)",
                 loadgen(ports["ch"], "POST", invoke, BODY), {"sidecar c": c.pid}, False),
            Path("procgroup", "**Procgroup: app -> sidecar a -> sidecar b -> publisher (WebSocket)**",
                 loadgen(ports["ah"], "POST", invoke, BODY), {"sidecar a": a.pid, "sidecar b": b.pid}, True),
            Path("pandoraHub", "pandora-hub: consumer -> hub -> provider (Unix socket)",
                 pandora_consumer(pjs, penv), {"pandora hub": phub.pid, "pandora provider": pprov.pid}, True),
            Path("dapr", "Dapr: app -> daprd a -> daprd b -> app (HTTP, gRPC between the daprd)",
                 loadgen(da_ports["http"], "POST", dapr_invoke, BODY), {"daprd a": da.pid, "daprd b": db.pid}, True),
        ]
        for p in paths:
            log(f"warm-up {p.key}: {RATE:.0f}/s for {WARMUP:.0f} s")
            p.run(RATE, CONNS_RATE, 0, WARMUP)
        for rnd in range(1, ROUNDS + 1):
            for rate in SWEEP + [SAT]:
                for p in paths:
                    if p.sweep or rate in (RATE, SAT):
                        results["measurements"].append(measure(p, rate, rnd))
        time.sleep(3)
        results["rssAfterMiB"] = {r: round(rss_mib(p.pid), 1) for r, p in watched.items()}
        results["memAfterMiB"] = {r: memory_mib(p.pid) for r, p in watched.items()}
        results["rssPeakMiB"] = {r: round(rss_mib(p.pid, "VmHWM"), 1) for r, p in watched.items()}
        results["labels"] = {p.key: p.label for p in paths}
    finally:
        for p in reversed(procs):
            stop(p)
    results["loadavgAfter"] = loadavg()
    results["wallSeconds"] = round(time.time() - started, 1)
    write(results)


def pandora_consumer(pjs, penv):
    def run(rate, conns, warmup, measure_s):
        out = subprocess.run(["node", pjs, "consumer", str(rate), str(conns), str(warmup), str(measure_s), str(BODY)],
                             env=dict(os.environ, **penv), capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])
    return run


# ---------------------------------------------------------------------------------------------------- summary

def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4), "max": round(max(values), 4),
            "n": len(values)}


def summarise(r):
    """Per path and rate: median and min-max over the rounds; added latency paired with direct in the same round."""
    by = {}
    for m in r["measurements"]:
        by.setdefault(m["path"], {}).setdefault(str(m["rate"]), []).append(m)
    summary = {}
    for path, rates in by.items():
        for rate, ms in rates.items():
            s = {k: spread([m["stats"][k] for m in ms]) for k in ("p50Us", "p90Us", "p99Us", "p999Us", "rps")}
            s["errors"] = sum(m["stats"]["errors"] for m in ms)
            s["cpuPer1000"] = {role: spread([m["cpuPer1000"][role] for m in ms]) for role in ms[0]["cpuPer1000"]}
            s["rssMaxMiB"] = {role: max(m["rssMaxMiB"][role] for m in ms) for role in ms[0]["rssMaxMiB"]}
            s["loadavg1"] = [m["loadavg1"] for m in ms]
            # the same HTTP call as direct, through sidecars (hop and pandora-hub make other calls)
            if path in ADDED_OVER_DIRECT and rate != SAT and rate in by.get("direct", {}):
                direct = {m["round"]: m["stats"] for m in by["direct"][rate]}
                for k in ("p50Us", "p99Us"):
                    s["added" + k[:3].capitalize() + "Us"] = spread(
                        [m["stats"][k] - direct[m["round"]][k] for m in ms if m["round"] in direct])
            summary.setdefault(path, {})[rate] = s
    return summary


def fmt(s, scale=1.0, digits=0, sign=""):
    """median (min–max); sign="+" for differences, which may be negative."""
    if s is None:
        return "-"
    f = f"{{:{sign}.{digits}f}}"
    return f"{f.format(s['median'] * scale)} ({f.format(s['min'] * scale)} – {f.format(s['max'] * scale)})"


def write(r):
    S = r["summary"] = summarise(r)
    fixed, sat = str(r["rate"]), SAT
    pg, pan, dp, d = S["procgroup"], S["pandoraHub"], S["dapr"], S["direct"]
    hop, loc = S["hop"], S["localPublisher"]
    med = lambda s: s["median"] if s else float("nan")  # noqa: E731
    rss_loaded = lambda role: max([S[p][k]["rssMaxMiB"][role] for p in S for k in (fixed, sat)  # noqa: E731
                                   if role in S[p].get(k, {}).get("rssMaxMiB", {})] or [0.0])
    cpu_sum = lambda s, roles: sum(med(s["cpuPer1000"][x]) for x in roles)  # noqa: E731
    idle = r["rssIdleMiB"]
    pg_cpu, dapr_cpu = cpu_sum(pg[fixed], ("sidecar a", "sidecar b")), cpu_sum(dp[fixed], ("daprd a", "daprd b"))
    pg_idle, dapr_idle = max(idle["sidecar a"], idle["sidecar b"]), max(idle["daprd a"], idle["daprd b"])
    anon = lambda key, roles: max(r[key][x]["rssAnon"] for x in roles)  # noqa: E731
    pg_anon_idle, dapr_anon_idle = anon("memIdleMiB", ("sidecar a", "sidecar b")), anon("memIdleMiB", ("daprd a", "daprd b"))
    pg_anon_after = anon("memAfterMiB", ("sidecar a", "sidecar b"))
    dapr_anon_after = anon("memAfterMiB", ("daprd a", "daprd b"))
    pg_loaded = max(rss_loaded("sidecar a"), rss_loaded("sidecar b"))
    dapr_loaded = max(rss_loaded("daprd a"), rss_loaded("daprd b"))
    ms = lambda s: fmt(s, 0.001, 3, "+")  # noqa: E731
    targets = [
        ("hub 2-hop added latency over direct, p50 @ 1000/s", f"{ms(pg[fixed]['addedP50Us'])} ms", "<= +0.3 ms",
         med(pg[fixed]["addedP50Us"]) <= 300),
        ("hub 2-hop added latency over direct, p99 @ 1000/s", f"{ms(pg[fixed]['addedP99Us'])} ms", "<= +1.0 ms",
         med(pg[fixed]["addedP99Us"]) <= 1000),
        ("vs pandora-hub: p50 @ 1000/s (Procgroup vs pandora-hub)",
         f"{fmt(pg[fixed]['p50Us'])} vs {fmt(pan[fixed]['p50Us'])} us", "lower",
         med(pg[fixed]["p50Us"]) < med(pan[fixed]["p50Us"])),
        ("vs pandora-hub: p99 @ 1000/s", f"{fmt(pg[fixed]['p99Us'])} vs {fmt(pan[fixed]['p99Us'])} us", "lower",
         med(pg[fixed]["p99Us"]) < med(pan[fixed]["p99Us"])),
        ("vs pandora-hub: saturation calls/s", f"{fmt(pg[sat]['rps'])} vs {fmt(pan[sat]['rps'])}", "higher",
         med(pg[sat]["rps"]) > med(pan[sat]["rps"])),
        ("vs Dapr: added latency over direct, p50 @ 1000/s (Procgroup vs Dapr)",
         f"{ms(pg[fixed]['addedP50Us'])} vs {ms(dp[fixed]['addedP50Us'])} ms", ">= 2x lower",
         2 * med(pg[fixed]["addedP50Us"]) <= med(dp[fixed]["addedP50Us"])),
        ("vs Dapr: added latency over direct, p99 @ 1000/s",
         f"{ms(pg[fixed]['addedP99Us'])} vs {ms(dp[fixed]['addedP99Us'])} ms", ">= 2x lower",
         2 * med(pg[fixed]["addedP99Us"]) <= med(dp[fixed]["addedP99Us"])),
        ("vs Dapr: CPU-s per 1000 calls @ 1000/s, both sidecars together", f"{pg_cpu:.3f} vs {dapr_cpu:.3f}", "less",
         pg_cpu < dapr_cpu),
        ("vs Dapr: RSS idle, larger sidecar", f"{pg_idle} vs {dapr_idle} MiB", "less", pg_idle < dapr_idle),
        ("vs Dapr: RSS under load (1000/s and saturation), larger sidecar", f"{pg_loaded} vs {dapr_loaded} MiB",
         "less", pg_loaded < dapr_loaded),
        # daprd's RSS is mostly its 215 MiB executable's mapped pages (shared by every daprd on a node, and page
        # cache the kernel may drop); the private part is the anonymous memory.
        ("vs Dapr: anonymous (private) memory idle, larger sidecar", f"{pg_anon_idle} vs {dapr_anon_idle} MiB", "less",
         pg_anon_idle < dapr_anon_idle),
        ("vs Dapr: anonymous memory after the runs, larger sidecar", f"{pg_anon_after} vs {dapr_anon_after} MiB",
         "less", pg_anon_after < dapr_anon_after),
        ("vs Dapr: saturation calls/s", f"{fmt(pg[sat]['rps'])} vs {fmt(dp[sat]['rps'])}", "higher",
         med(pg[sat]["rps"]) > med(dp[sat]["rps"])),
        ("sidecar CPU-s per 1000 calls @ 1000/s, a (caller side)", fmt(pg[fixed]["cpuPer1000"]["sidecar a"], 1, 3),
         "<= 0.05", med(pg[fixed]["cpuPer1000"]["sidecar a"]) <= 0.05),
        ("sidecar CPU-s per 1000 calls @ 1000/s, b (provider side)", fmt(pg[fixed]["cpuPer1000"]["sidecar b"], 1, 3),
         "<= 0.05", med(pg[fixed]["cpuPer1000"]["sidecar b"]) <= 0.05),
        ("sidecar RSS idle, a / b (RSS on loopback, not the kubelet's working set)",
         f"{idle['sidecar a']} / {idle['sidecar b']} MiB", "<= 48 MiB", pg_idle <= 48),
        ("sidecar RSS under load (1000/s and saturation), max of a, b", f"{pg_loaded} MiB", "<= 80 MiB",
         pg_loaded <= 80),
        ("app -> local sidecar hop p50 @ 1000/s", f"{fmt(hop[fixed]['p50Us'])} us", "<= 100 us",
         med(hop[fixed]["p50Us"]) <= 100),
        ("same-pod path p99 @ 1000/s vs the 2-hop path", f"{fmt(loc[fixed]['p99Us'])} vs {fmt(pg[fixed]['p99Us'])} us",
         "no worse", med(loc[fixed]["p99Us"]) <= med(pg[fixed]["p99Us"])),
    ]
    r["targets"] = [{"what": t[0], "measured": t[1], "target": t[2], "met": t[3]} for t in targets]

    def row(key, rate):
        s = S[key].get(rate)
        if not s:
            return None
        cpu = ", ".join(f"{role} {fmt(v, 1, 3)}" for role, v in s["cpuPer1000"].items()) or "-"
        added = f"{fmt(s['addedP50Us'], sign='+')} / {fmt(s['addedP99Us'], sign='+')}" if "addedP50Us" in s else "-"
        loads = ", ".join(f"{a}→{b}" for a, b in s["loadavg1"])
        return (f"| {r['labels'][key]} | {fmt(s['p50Us'])} | {fmt(s['p90Us'])} | {fmt(s['p99Us'])} | "
                f"{fmt(s['p999Us'])} | {fmt(s['rps'])} | {s['errors']} | {added} | {cpu} | {loads} |")

    head = ("| path | p50 us | p90 us | p99 us | p99.9 us | calls/s | errors | added p50 / p99 over direct, us | "
            "CPU-s per 1000 calls | load avg (1 min) at start→end of each round's run |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    order = [k for k in ("direct", "hop", "localPublisher", "procgroup", "pandoraHub", "dapr") if k in S]
    sweep_rows = []
    for rate in [str(x) for x in r["sweepRates"]]:
        sweep_rows += [f"| **{float(rate):.0f} calls/s** |||||||||"] + [x for x in (row(k, rate) for k in order) if x]
    lines = [
        f"# Hub benchmark {r['date']}",
        "",
        f"Machine: {r['host']}, {r['cpus']} CPUs ({r['cpuModel']}), {r['memGiB']} GiB, Linux {r['kernel']}; shared "
        f"with other builds: load average before {' '.join(r['loadavgBefore'])}, after {' '.join(r['loadavgAfter'])}. "
        f"{r['java']}; node {r['node']}; pandora-hub {r['pandoraHub']}; daprd {r['daprd']}; Procgroup "
        f"{r['procgroupCommit']} (commit). All processes on loopback. Command: `bench/hub/run.sh`; whole run "
        f"{r['wallSeconds']} s.",
        "",
        f"Method: every process starts once; each path is warmed up for {r['warmupS']:.0f} s at {r['rate']:.0f}/s; "
        f"then {r['rounds']} rounds, and in each round, at each rate ({', '.join(f'{x:.0f}' for x in r['sweepRates'])}"
        f" calls/s, then saturation), the paths take turns in the order of the table. A run: {r['stepWarmupS']:.0f} s "
        f"unmeasured, then {r['measureS']:.0f} s measured at {r['rate']:.0f}/s ({r['sweepMeasureS']:.0f} s at the "
        f"other rates, {r['saturationS']:.0f} s at saturation). Fixed rates: {r['connsFixed']} keep-alive "
        f"connections, open loop (latency from each call's scheduled time). Saturation: {r['connsSaturation']} calls "
        f"in flight, closed loop. Payload {r['bodyBytes']} B each way. Each cell: median over the rounds (min–max). "
        "Added latency: the path minus direct in the same round, then median (min–max) of those differences. CPU: "
        "utime + stime of the process over the run divided by the calls it served (warm-up second included in both).",
        "",
        "Peers. **Procgroup**: sidecars from `sidecar/run.sh` (production JVM flags), static peers, no apiserver; "
        "between sidecars the bearer token over plain HTTP (no mTLS: on loopback the sidecar gets its certificate from "
        "the operator's issuer, which needs an apiserver). **Dapr**: two `daprd` in standalone mode (built from the Go "
        "module proxy by `e2e/cluster/build-binaries.sh dapr`, Dapr's release flavour `allcomponents`), app ids "
        f"`{DAPR_APP_A}` (the load generator's sidecar) and `{DAPR_APP_B}` (in front of the same echo server as the "
        "direct path), HTTP service invocation, gRPC between the two daprd, mDNS name resolution announcing "
        "127.0.0.1, tracing off (sampling 0), metrics on (as the sidecar's), no components, placement or "
        "scheduler, **mTLS off** (Dapr's mTLS needs its Sentry CA). So neither peer encrypts here: the production "
        "shapes of both (mTLS) are not what this run measures. **pandora-hub**: its own hub process and IPC over a "
        "Unix socket, driven by its own client (`pandora.js`): no HTTP, so its load generator is a Node process, not "
        "LoadGen.",
        "",
        f"## At {r['rate']:.0f} calls/s and at saturation",
        "",
        head,
    ] + [x for x in (row(k, fixed) for k in order) if x] + [
        "",
        "| path, saturation | calls/s | p50 us | p99 us | errors | CPU-s per 1000 calls | load avg (1 min) |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ] + [f"| {r['labels'][k]} | {fmt(S[k][sat]['rps'])} | {fmt(S[k][sat]['p50Us'])} | {fmt(S[k][sat]['p99Us'])} | "
         f"{S[k][sat]['errors']} | "
         + (", ".join(f"{role} {fmt(v, 1, 3)}" for role, v in S[k][sat]["cpuPer1000"].items()) or "-")
         + " | " + ", ".join(f"{a}→{b}" for a, b in S[k][sat]["loadavg1"]) + " |" for k in order if sat in S[k]] + [
        "",
        "RSS, MiB (VmRSS; idle: at rest " + f"{IDLE_S} s after start, before any load; loaded: the largest sample, "
        "every 100 ms, over all runs at 1000/s and at saturation; peak: VmHWM at the end, JIT warm-up included):",
        "",
        "| process | RSS idle | of it anon / file | PSS idle | RSS loaded | RSS after the runs | of it anon / file "
        "| PSS after | peak |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ] + [f"| {role} | {r['rssIdleMiB'][role]} | {r['memIdleMiB'][role]['rssAnon']} / "
         f"{r['memIdleMiB'][role]['rssFile']} | {r['memIdleMiB'][role]['pss']} | {rss_loaded(role)} | "
         f"{r['rssAfterMiB'][role]} | {r['memAfterMiB'][role]['rssAnon']} / {r['memAfterMiB'][role]['rssFile']} | "
         f"{r['memAfterMiB'][role]['pss']} | {r['rssPeakMiB'][role]} |"
         for role in r["rssIdleMiB"]] + [
        "",
        "File-backed pages are the mapped executables and libraries (daprd's 215 MiB executable; libjvm and the CDS "
        "archive), shared with every other process that maps the same file, and how many are resident depends on "
        "the page cache (daprd's file part differs between runs); anonymous pages (heap, stacks, the JIT's code) "
        "are each process's own. PSS counts shared pages once across the processes sharing them.",
        "",
        f"Sidecar ready (spawn to READY): {r['sidecarReadyMs']} ms.",
        "",
        "## Rate sweep",
        "",
        f"![hub latency against call rate](hub-{stamp(r)}.png)",
        "",
        head,
    ] + sweep_rows + [
        "",
        "The machine's other work (load average column) lands in the tails: compare p99s of runs at similar load; "
        "the interleaving puts the peers' runs of one round within a minute or two of each other.",
        "",
        "## Targets (issue 12, DESIGN.md second set), on the medians",
        "",
        "| target | measured: median (min–max) | goal | met |",
        "| --- | --- | --- | --- |",
    ] + [f"| {t[0]} | {t[1]} | {t[2]} | {'yes' if t[3] else '**no**'} |" for t in targets]
    out_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, f"hub-{stamp(r)}")
    with open(base + ".json", "w") as f:
        json.dump(r, f, indent=2)
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    plot(r, base + ".png")
    print("\n".join(lines))
    print(f"\nwritten: {base}.md, .json and .png", file=sys.stderr)


def stamp(r):
    return r["date"].replace(":", "").replace("-", "")[:13]


def plot(r, png):
    """p50 and p99 against the offered rate (median, min-max bars), saturation as a point at its achieved rate."""
    try:
        import matplotlib
    except ImportError:
        sys.exit("matplotlib missing: run bench/hub/run.sh (it installs it into bench/hub/target/venv)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import ticker
    S = r["summary"]
    series = [("procgroup", "Procgroup (2 sidecars)", "tab:blue"), ("pandoraHub", "pandora-hub", "tab:orange"),
              ("dapr", "Dapr (2 daprd)", "tab:green"), ("direct", "direct HTTP (baseline)", "tab:gray")]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharex=True)
    for ax, key, title in zip(axes, ("p50Us", "p99Us"), ("p50", "p99")):
        for i, (path, label, color) in enumerate(series):
            if path not in S:
                continue
            rates = [x for x in r["sweepRates"] if str(x) in S[path]]
            ys = [S[path][str(x)][key] for x in rates]
            nudge = 1 + 0.02 * (i - 1.5)  # side by side at the same rate, so that the bars do not hide each other
            ax.errorbar([x * nudge for x in rates], [y["median"] / 1000 for y in ys],
                        yerr=[[(y["median"] - y["min"]) / 1000 for y in ys], [(y["max"] - y["median"]) / 1000
                                                                             for y in ys]],
                        color=color, marker="o", capsize=3, label=label,
                        linestyle="--" if path == "direct" else "-")
            s = S[path].get(SAT)
            if s:
                ax.errorbar([s["rps"]["median"]], [s[key]["median"] / 1000],
                            xerr=[[s["rps"]["median"] - s["rps"]["min"]], [s["rps"]["max"] - s["rps"]["median"]]],
                            yerr=[[(s[key]["median"] - s[key]["min"]) / 1000], [(s[key]["max"] - s[key]["median"])
                                                                              / 1000]],
                            color=color, marker="*", markersize=12, capsize=3, linestyle="none")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(ticker.LogLocator(subs=(1, 2, 5)))
            axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xlabel("calls/s (offered; ★ = saturation, achieved, 8 in flight)")
        ax.set_ylabel(f"{title} latency, ms")
        ax.set_title(f"{title}, 1 KB each way, loopback")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Hub latency against call rate, {r['date']} ({r['cpus']} CPUs, median of {r['rounds']} "
                 "interleaved rounds, bars min–max)", fontsize=10)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        # Re-render the Markdown, targets and plot from a saved JSON result (of this format).
        write(json.load(open(sys.argv[2])))
    else:
        main()

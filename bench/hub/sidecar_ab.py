#!/usr/bin/env python3
"""Sidecar A/B benchmark (called by sidecar-ab.sh): the 2-hop path (LoadGen -> sidecar a -> sidecar b -> Publisher)
for several sidecar builds or JVM configurations in the same run. Every variant's pair starts at once; idle memory is
read before any load; then ROUNDS rounds in which the variants take turns at the fixed rate and at saturation. Writes
bench/results/sidecar-<date>.md and .json. Reuses bench.py's process, /proc and LoadGen helpers."""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import bench
from bench import free_port, knob, loadavg, log, loadgen, memory_mib, rss_mib, cpu_seconds, RssSampler

RATE = knob("BENCH_RATE", "1000")
ROUNDS = knob("BENCH_ROUNDS", "3", int)
WARMUP = knob("BENCH_WARMUP_S", "20")       # per variant before round 1: past C2's compile of the hot path
STEP_WARMUP = knob("BENCH_STEP_WARMUP_S", "1")
MEASURE = knob("BENCH_MEASURE_S", "8")
SAT_MEASURE = knob("BENCH_SAT_MEASURE_S", "4")
IDLE_S = knob("BENCH_IDLE_S", "10")
# async-profiler's library: when set, round 1's fixed-rate run of every variant is profiled (cpu) on both sidecars,
# collapsed stacks into bench/hub/target/profiles/<variant>-<sidecar>.collapsed
ASPROF = os.environ.get("BENCH_ASPROF")
ASPROF_EVENT = os.environ.get("BENCH_ASPROF_EVENT", "cpu")
INVOKE = "/v1/invoke/echo/say"
SAT = "sat"


def variants():
    """BENCH_VARIANTS: 'name|sidecar dir|extra JVM options;...' (the dir holds run.sh and target/, as sidecar/)."""
    spec = os.environ.get("BENCH_VARIANTS", f"current|{bench.SIDECAR}|")
    out = []
    for entry in filter(None, (e.strip() for e in spec.split(";"))):
        name, directory, opts = (entry.split("|") + ["", ""])[:3]
        out.append({"name": name, "dir": os.path.abspath(directory), "opts": opts.strip()})
    return out


def start_pair(v):
    ports = {k: free_port() for k in ("ah", "ap", "am", "bh", "bp", "bm")}
    common = {"PROCGROUP_GROUP": "bench", "PROCGROUP_HUB_TOKEN": "bench-token", "PROCGROUP_APP_METRICS": "off",
              "PROCGROUP_PEER_HOST": "127.0.0.1", "PROCGROUP_METRICS_HOST": "127.0.0.1",
              "PROCGROUP_JAVA_OPTS": v["opts"]}

    def sidecar(pod, process, peer):
        return bench.start(["bash", os.path.join(v["dir"], "run.sh")], dict(
            common, PROCGROUP_PROCESS=process, PROCGROUP_POD_NAME=pod, PROCGROUP_HUB_PORT=str(ports[pod + "h"]),
            PROCGROUP_PEER_PORT=str(ports[pod + "p"]), PROCGROUP_METRICS_PORT=str(ports[pod + "m"]),
            PROCGROUP_STATIC_PEERS=f"{peer}=127.0.0.1:{ports[peer + 'p']}"), f"{v['name']} sidecar {pod}")

    t0 = time.time()
    a = sidecar("a", "web", "b")
    v["readyMs"] = round((time.time() - t0) * 1000)
    b = sidecar("b", "background", "a")
    bench.start(bench.APP_JVM + ["Publisher", str(ports["bh"])], name=f"{v['name']} publisher b")
    v["pids"] = {"sidecar a": a.pid, "sidecar b": b.pid}
    v["run"] = loadgen(ports["ah"], "POST", INVOKE, bench.BODY)
    # the first call waits for a to have probed b: retried by the warm-up's errors count, so wait here
    bench.wait_for(f"{v['name']}: a reaches b's publisher", lambda: bench.http_status(
        "POST", f"http://127.0.0.1:{ports['ah']}{INVOKE}", b'["x"]') == 200)


def profile(pids, action, name):
    """Loads async-profiler into each sidecar (jcmd JVMTI.agent_load): start, or stop and dump collapsed stacks."""
    out_dir = os.path.join(bench.TARGET, "profiles")
    os.makedirs(out_dir, exist_ok=True)
    for role, pid in pids.items():
        if action == "start":
            arg = f"start,threads,event={ASPROF_EVENT},interval={'1ms' if ASPROF_EVENT in ('cpu', 'wall') else '512k'}"
        else:
            arg = f"stop,collapsed,file={out_dir}/{name}-{role.replace(' ', '-')}-{ASPROF_EVENT}.collapsed"
        # quoted: jcmd would otherwise split the agent's options at the commas
        out = subprocess.run(["jcmd", str(pid), "JVMTI.agent_load", ASPROF, f'"{arg}"'], capture_output=True,
                             text=True, timeout=30)
        if "return code: 0" not in out.stdout:
            log(f"async-profiler {action} in {role}: {out.stdout.strip()} {out.stderr.strip()}")


def measure(v, rate, rnd):
    sat = rate == SAT
    pids = v["pids"]
    load0 = loadavg()[0]
    cpu0 = {r: cpu_seconds(p) for r, p in pids.items()}
    sampler = RssSampler(list(pids.values()))
    profiling = ASPROF and rnd == 1 and not sat
    if profiling:
        profile(pids, "start", v["name"])
    stats = v["run"](0 if sat else rate, bench.CONNS_SAT if sat else bench.CONNS_RATE, STEP_WARMUP,
                     SAT_MEASURE if sat else MEASURE)
    if profiling:
        profile(pids, "stop", v["name"])
    rss = sampler.stop()
    cpu = {r: cpu_seconds(p) - cpu0[r] for r, p in pids.items()}
    calls = max(1, stats.get("total", stats["count"]))
    rec = {"variant": v["name"], "round": rnd, "rate": rate, "stats": stats, "loadavg1": [load0, loadavg()[0]],
           "cpuPer1000": {r: round(c / calls * 1000, 4) for r, c in cpu.items()},
           "rssMaxMiB": {r: round(rss[p], 1) for r, p in pids.items()}, "profiled": bool(profiling)}
    log(f"round {rnd} {v['name']} @ {rate}: p50 {stats['p50Us']:.0f} p99 {stats['p99Us']:.0f} us, "
        f"{stats['rps']:.0f}/s, errors {stats['errors']}, cpu/1000 "
        f"{' '.join(f'{c:.3f}' for c in rec['cpuPer1000'].values())}, load {rec['loadavg1'][0]}->{rec['loadavg1'][1]}")
    return rec


def main():
    started = time.time()
    vs = variants()
    r = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "host": platform.node(), "cpus": os.cpu_count(), "loadavgBefore": loadavg(),
         "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
         "kernel": platform.release(), "rate": RATE, "rounds": ROUNDS, "warmupS": WARMUP, "stepWarmupS": STEP_WARMUP,
         "measureS": MEASURE, "saturationS": SAT_MEASURE, "idleS": IDLE_S, "bodyBytes": bench.BODY,
         "profiled": ASPROF_EVENT if ASPROF else None, "measurements": []}
    try:
        for v in vs:
            log(f"starting {v['name']}: {v['dir']} {v['opts']}")
            start_pair(v)
        time.sleep(IDLE_S)
        for v in vs:
            v["memIdle"] = {role: memory_mib(pid) for role, pid in v["pids"].items()}
            v["rssIdle"] = {role: round(rss_mib(pid), 1) for role, pid in v["pids"].items()}
        for v in vs:
            log(f"warm-up {v['name']}: {RATE:.0f}/s for {WARMUP:.0f} s")
            v["run"](RATE, bench.CONNS_RATE, 0, WARMUP)
        for rnd in range(1, ROUNDS + 1):
            for rate in (RATE, SAT):
                order = vs if rnd % 2 else list(reversed(vs))  # alternate who goes first
                for v in order:
                    r["measurements"].append(measure(v, rate, rnd))
        time.sleep(IDLE_S)
        for v in vs:
            v["memAfter"] = {role: memory_mib(pid) for role, pid in v["pids"].items()}
            v["rssAfter"] = {role: round(rss_mib(pid), 1) for role, pid in v["pids"].items()}
            v["rssPeak"] = {role: round(rss_mib(pid, "VmHWM"), 1) for role, pid in v["pids"].items()}
    finally:
        for p in reversed(bench.procs):
            bench.stop(p)
    r["variants"] = [{k: v[k] for k in ("name", "dir", "opts", "readyMs", "memIdle", "rssIdle", "memAfter",
                                        "rssAfter", "rssPeak") if k in v} for v in vs]
    for v in r["variants"]:
        v["commit"] = commit_of(v["dir"])
    r["loadavgAfter"] = loadavg()
    r["wallSeconds"] = round(time.time() - started, 1)
    write(r)


def commit_of(directory):
    stamp = os.path.join(directory, "COMMIT")  # a copied build names its commit in this file
    if os.path.exists(stamp):
        return open(stamp).read().strip()
    out = subprocess.run(["git", "-C", directory, "log", "-1", "--format=%h", "--", "."], capture_output=True,
                         text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", directory, "status", "--porcelain", "--untracked-files=no", "--", "."],
                           capture_output=True, text=True).stdout.strip()
    return out + (" + uncommitted changes" if dirty else "")


def spread(values):
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4), "max": round(max(values), 4)}


def fmt(s, digits=0):
    f = f"{{:.{digits}f}}"
    return f"{f.format(s['median'])} ({f.format(s['min'])} – {f.format(s['max'])})"


def write(r):
    by = {}
    for m in r["measurements"]:
        by.setdefault((m["variant"], str(m["rate"])), []).append(m)
    summary = {}
    for (name, rate), ms in by.items():
        s = {k: spread([m["stats"][k] for m in ms]) for k in ("p50Us", "p99Us", "rps")}
        s["cpuPer1000"] = {role: spread([m["cpuPer1000"][role] for m in ms]) for role in ms[0]["cpuPer1000"]}
        s["rssMaxMiB"] = {role: max(m["rssMaxMiB"][role] for m in ms) for role in ms[0]["rssMaxMiB"]}
        s["errors"] = sum(m["stats"]["errors"] for m in ms)
        s["loadavg1"] = [m["loadavg1"] for m in ms]
        summary.setdefault(name, {})[rate] = s
    r["summary"] = summary
    fixed = str(r["rate"])
    lines = [
        f"# Sidecar A/B benchmark {r['date']}",
        "",
        f"Machine: {r['host']}, {r['cpus']} CPUs, Linux {r['kernel']}, {r['java']}. **Shared and loaded**: load "
        f"average before {' '.join(r['loadavgBefore'])}, after {' '.join(r['loadavgAfter'])}; the 1-minute load at "
        f"the start→end of every run is in the tables. Command: `bench/hub/sidecar-ab.sh` with BENCH_VARIANTS as "
        f"below; whole run {r['wallSeconds']} s.",
        "",
        f"Method: the 2-hop path (LoadGen -> sidecar a `POST {INVOKE}` -> peer API of sidecar b -> `Publisher` on b, "
        f"WebSocket; bearer token over plain HTTP on loopback, no TLS), {r['bodyBytes']} B each way. Every variant's "
        f"pair (and its publisher) starts at once; idle memory is read {r['idleS']:.0f} s later, before any load; each "
        f"variant is warmed up {r['warmupS']:.0f} s at {r['rate']:.0f}/s; then {r['rounds']} rounds, in each the "
        f"variants take turns (order reversed every other round) at {r['rate']:.0f}/s (4 connections, open loop, "
        f"{r['stepWarmupS']:.0f} s + {r['measureS']:.0f} s measured) and at saturation (8 in flight, closed loop, "
        f"{r['stepWarmupS']:.0f} s + {r['saturationS']:.0f} s). CPU: utime + stime over the run / calls served "
        "(warm-up second included). Cells: median (min–max) over the rounds."
        + (f" Round 1's fixed-rate runs were profiled ({r['profiled']}, async-profiler), which costs them some CPU."
           if r.get("profiled") else ""),
        "",
        "| variant | sidecar dir, commit | extra JVM options | ready ms |",
        "| --- | --- | --- | ---: |",
    ] + [f"| {v['name']} | `{os.path.relpath(v['dir'], bench.ROOT)}` ({v['commit']}) | `{v['opts'] or '-'}` | "
         f"{v['readyMs']} |" for v in r["variants"]] + [
        "",
        f"## CPU and latency at {r['rate']:.0f} calls/s and at saturation",
        "",
        "| variant | rate | calls/s | p50 us | p99 us | errors | CPU-s / 1000 calls, a | b | load (1 min) per run |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for v in r["variants"]:
        for rate in (fixed, SAT):
            s = summary[v["name"]][rate]
            lines.append(f"| {v['name']} | {'saturation' if rate == SAT else rate} | {fmt(s['rps'])} | "
                         f"{fmt(s['p50Us'])} | {fmt(s['p99Us'])} | {s['errors']} | "
                         f"{fmt(s['cpuPer1000']['sidecar a'], 3)} | {fmt(s['cpuPer1000']['sidecar b'], 3)} | "
                         + ", ".join(f"{a}→{b}" for a, b in s["loadavg1"]) + " |")
    lines += [
        "",
        "## Memory, MiB",
        "",
        "RSS = anon + file (file: libjvm, the jars' and the CDS archive's mapped pages, shared with other JVMs mapping "
        "the same files); PSS counts those shared pages once across the processes sharing them. Loaded: the largest "
        "VmRSS sampled every 100 ms over all runs. After: at rest "
        f"{r['idleS']:.0f} s after the last run. Peak: VmHWM.",
        "",
        "| variant | sidecar | RSS idle | anon / file | PSS idle | RSS loaded | RSS after | anon / file | PSS after "
        "| peak |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for v in r["variants"]:
        for role in ("sidecar a", "sidecar b"):
            loaded = max(summary[v["name"]][k]["rssMaxMiB"][role] for k in (fixed, SAT))
            i, a = v["memIdle"][role], v["memAfter"][role]
            lines.append(f"| {v['name']} | {role[-1]} | {v['rssIdle'][role]} | {i['rssAnon']} / {i['rssFile']} | "
                         f"{i['pss']} | {loaded} | {v['rssAfter'][role]} | {a['rssAnon']} / {a['rssFile']} | "
                         f"{a['pss']} | {v['rssPeak'][role]} |")
    out_dir = os.path.join(bench.ROOT, "bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, "sidecar-" + r["date"].replace(":", "").replace("-", "")[:13])
    with open(base + ".json", "w") as f:
        json.dump(r, f, indent=2)
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten: {base}.md and .json", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        write(json.load(open(sys.argv[2])))
    else:
        main()

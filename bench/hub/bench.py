#!/usr/bin/env python3
"""Hub benchmark driver (called by run.sh): starts the processes, runs the load phases, reads CPU and RSS from
/proc, writes bench/results/hub-<date>.md and .json. Every process it starts it also stops, by pid."""
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SIDECAR = os.path.join(ROOT, "sidecar")
CP = os.path.join(HERE, "target", "classes") + ":" + os.path.join(SIDECAR, "target", "lib", "*")
APP_JVM = ["java", "-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", CP]

RATE = float(os.environ.get("BENCH_RATE", "1000"))
WARMUP = float(os.environ.get("BENCH_WARMUP_S", "10"))
MEASURE = float(os.environ.get("BENCH_MEASURE_S", "10"))
SAT_MEASURE = float(os.environ.get("BENCH_SAT_MEASURE_S", "6"))
CONNS_RATE = 4
CONNS_SAT = 8
BODY = 1024
CLK = os.sysconf("SC_CLK_TCK")

procs = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, env=None, name="proc"):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs.append(p)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            raise RuntimeError(f"{name} exited: {p.stderr.read()[-2000:]}")
        if line.startswith("READY"):
            # keep draining output so the child never blocks on a full pipe
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            threading.Thread(target=lambda: [None for _ in p.stderr], daemon=True).start()
            return p
    raise RuntimeError(f"{name} not ready in 60 s")


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


class RssSampler:
    """Max RSS of some processes while a phase runs."""

    def __init__(self, pids):
        self.pids = pids
        self.max = {p: 0.0 for p in pids}
        self.running = True
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while self.running:
            for p in self.pids:
                try:
                    self.max[p] = max(self.max[p], rss_mib(p))
                except OSError:
                    pass
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.t.join()
        return self.max


def loadgen(port, method, path, body, rate, conns, warmup, measure):
    out = subprocess.run(["java", "-XX:+UseSerialGC", "-Xmx256m", "-cp", CP, "LoadGen", "127.0.0.1", str(port), method, path, str(body), str(rate), str(conns),
                                    str(warmup), str(measure)], capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase(name, run, watch_pids):
    """Warm up, then measure the fixed-rate run with CPU and RSS of watch_pids, then a saturation run."""
    load_before = open("/proc/loadavg").read().split()[0]
    print(f"[bench] {name}: warm-up", file=sys.stderr, flush=True)
    run(RATE, CONNS_RATE, 0, WARMUP)
    cpu0 = {p: cpu_seconds(p) for p in watch_pids}
    sampler = RssSampler(watch_pids)
    print(f"[bench] {name}: {RATE:.0f}/s for {MEASURE:.0f} s", file=sys.stderr, flush=True)
    fixed = run(RATE, CONNS_RATE, 0, MEASURE)
    rss = sampler.stop()
    cpu = {p: cpu_seconds(p) - cpu0[p] for p in watch_pids}
    print(f"[bench] {name}: saturation ({CONNS_SAT} in flight) for {SAT_MEASURE:.0f} s", file=sys.stderr, flush=True)
    cpu1 = {p: cpu_seconds(p) for p in watch_pids}
    sampler2 = RssSampler(watch_pids)
    sat = run(0, CONNS_SAT, 0, SAT_MEASURE)
    rss_sat = sampler2.stop()
    cpu_sat = {p: cpu_seconds(p) - cpu1[p] for p in watch_pids}
    return {
        "fixed": fixed, "saturation": sat, "loadavg1": [load_before, open("/proc/loadavg").read().split()[0]],
        "cpuSecondsPer1000": {str(p): round(cpu[p] / max(1, fixed["count"]) * 1000, 4) for p in watch_pids},
        "cpuSecondsPer1000Saturated": {str(p): round(cpu_sat[p] / max(1, sat["count"]) * 1000, 4)
                                       for p in watch_pids},
        "rssMaxMiBFixed": {str(p): round(v, 1) for p, v in rss.items()},
        "rssMaxMiBSaturation": {str(p): round(v, 1) for p, v in rss_sat.items()},
    }


def main():
    started = time.time()
    results = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"), "host": platform.node(),
               "cpus": os.cpu_count(), "loadavgBefore": open("/proc/loadavg").read().split()[:3],
               "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
               "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
               "rate": RATE, "bodyBytes": BODY, "connsFixed": CONNS_RATE, "connsSaturation": CONNS_SAT,
               "warmupS": WARMUP, "measureS": MEASURE, "saturationS": SAT_MEASURE, "phases": {}}
    invoke_path = "/v1/invoke/echo/say"
    try:
        # 1. direct: app -> app over HTTP
        port = free_port()
        echo = start(APP_JVM + ["EchoServer", str(port)], name="echo server")
        results["phases"]["direct"] = phase("direct", lambda r, c, w, m: loadgen(
            port, "POST", "/echo", BODY, r, c, w, m), [echo.pid])
        stop(echo)

        # 2. two sidecars, static peers
        ports = {k: free_port() for k in ("ah", "ap", "am", "bh", "bp", "bm")}
        common = {"PROCGROUP_GROUP": "bench", "PROCGROUP_HUB_TOKEN": "bench-token", "PROCGROUP_APP_METRICS": "off",
                  "PROCGROUP_PEER_HOST": "127.0.0.1", "PROCGROUP_METRICS_HOST": "127.0.0.1"}
        run_sh = ["bash", os.path.join(SIDECAR, "run.sh")]
        t0 = time.time()
        a = start(run_sh, dict(common, PROCGROUP_PROCESS="web", PROCGROUP_POD_NAME="a",
                               PROCGROUP_HUB_PORT=str(ports["ah"]), PROCGROUP_PEER_PORT=str(ports["ap"]),
                               PROCGROUP_METRICS_PORT=str(ports["am"]),
                               PROCGROUP_STATIC_PEERS=f"b=127.0.0.1:{ports['bp']}"), "sidecar a")
        ready_ms = (time.time() - t0) * 1000
        b = start(run_sh, dict(common, PROCGROUP_PROCESS="background", PROCGROUP_POD_NAME="b",
                               PROCGROUP_HUB_PORT=str(ports["bh"]), PROCGROUP_PEER_PORT=str(ports["bp"]),
                               PROCGROUP_METRICS_PORT=str(ports["bm"]),
                               PROCGROUP_STATIC_PEERS=f"a=127.0.0.1:{ports['ap']}"), "sidecar b")
        pub_b = start(APP_JVM + ["Publisher", str(ports["bh"])], name="publisher b")
        time.sleep(8)  # at rest: past the start-up JIT burst and one native-heap trim
        results["sidecarReadyMs"] = round(ready_ms)
        results["rssIdleMiB"] = {"a": round(rss_mib(a.pid), 1), "b": round(rss_mib(b.pid), 1)}

        results["phases"]["hop"] = phase("app -> local sidecar (GET /v1/context)", lambda r, c, w, m: loadgen(
            ports["ah"], "GET", "/v1/context", 0, r, c, w, m), [a.pid])
        results["phases"]["twoSidecars"] = phase("app -> sidecar a -> sidecar b -> publisher", lambda r, c, w, m: loadgen(
            ports["ah"], "POST", invoke_path, BODY, r, c, w, m), [a.pid, b.pid])
        results["twoSidecarPids"] = {"a": a.pid, "b": b.pid}
        # 3. same pod: a publisher on a, so a's calls stay local (local provider first)
        pub_a = start(APP_JVM + ["Publisher", str(ports["ah"])], name="publisher a")
        results["phases"]["localPublisher"] = phase("app -> sidecar a -> publisher on a", lambda r, c, w, m: loadgen(
            ports["ah"], "POST", invoke_path, BODY, r, c, w, m), [a.pid])
        time.sleep(3)
        results["rssAfterLoadMiB"] = {"a": round(rss_mib(a.pid), 1), "b": round(rss_mib(b.pid), 1)}
        results["rssPeakMiB"] = {"a": round(rss_mib(a.pid, "VmHWM"), 1), "b": round(rss_mib(b.pid, "VmHWM"), 1)}
        for p in (pub_a, pub_b, a, b):
            stop(p)

        # 4. Pandora's hub: consumer -> hub -> provider over its Unix socket
        tmp = os.path.join(HERE, "target", "pandora-tmp")
        os.makedirs(tmp, exist_ok=True)
        penv = {"PANDORA_TMP_DIR": tmp, "NODE_PATH": os.path.join(HERE, "node_modules")}
        pjs = os.path.join(HERE, "pandora.js")
        hub = start(["node", pjs, "hub"], penv, "pandora hub")
        prov = start(["node", pjs, "provider"], penv, "pandora provider")
        time.sleep(1)
        results["pandoraHubRssIdleMiB"] = round(rss_mib(hub.pid), 1)

        def pandora(r, c, w, m):
            out = subprocess.run(["node", pjs, "consumer", str(r), str(c), str(w), str(m), str(BODY)],
                                 env=dict(os.environ, **penv), capture_output=True, text=True, timeout=300)
            if out.returncode != 0:
                raise RuntimeError(out.stderr)
            return json.loads(out.stdout.strip().splitlines()[-1])

        results["phases"]["pandoraHub"] = phase("pandora-hub consumer -> hub -> provider", pandora, [hub.pid, prov.pid])
        results["pandoraPids"] = {"hub": hub.pid, "provider": prov.pid}
        stop(prov)
        stop(hub)
    finally:
        for p in procs:
            stop(p)
    results["loadavgAfter"] = open("/proc/loadavg").read().split()[:3]
    results["wallSeconds"] = round(time.time() - started, 1)
    write(results)


def write(r):
    ph = r["phases"]
    d, two, hop, loc, pan = ph["direct"], ph["twoSidecars"], ph["hop"], ph["localPublisher"], ph["pandoraHub"]
    a, b = str(r["twoSidecarPids"]["a"]), str(r["twoSidecarPids"]["b"])
    added50 = two["fixed"]["p50Us"] - d["fixed"]["p50Us"]
    added99 = two["fixed"]["p99Us"] - d["fixed"]["p99Us"]
    cpu_a = two["cpuSecondsPer1000"][a]
    cpu_b = two["cpuSecondsPer1000"][b]
    rss_loaded = max(two["rssMaxMiBFixed"][a], two["rssMaxMiBFixed"][b], two["rssMaxMiBSaturation"][a],
                     two["rssMaxMiBSaturation"][b], loc["rssMaxMiBSaturation"][a])
    hub_pid = str(r["pandoraPids"]["hub"])
    targets = [
        ("added latency over direct, p50 @ 1000/s", f"{added50 / 1000:.3f} ms", "<= 0.5 ms", added50 <= 500),
        ("added latency over direct, p99 @ 1000/s", f"{added99 / 1000:.3f} ms", "<= 1.5 ms", added99 <= 1500),
        ("app -> local sidecar hop p50 @ 1000/s", f"{hop['fixed']['p50Us']:.0f} us", "<= 100 us",
         hop["fixed"]["p50Us"] <= 100),
        ("sidecar CPU per 1000 calls (a, caller side)", f"{cpu_a:.3f} CPU-s", "<= 0.1", cpu_a <= 0.1),
        ("sidecar CPU per 1000 calls (b, provider side)", f"{cpu_b:.3f} CPU-s", "<= 0.1", cpu_b <= 0.1),
        ("sidecar RSS idle (a / b)", f"{r['rssIdleMiB']['a']} / {r['rssIdleMiB']['b']} MiB", "<= 64 MiB",
         max(r["rssIdleMiB"].values()) <= 64),
        ("sidecar RSS under load (max of a, b)", f"{rss_loaded} MiB", "<= 96 MiB", rss_loaded <= 96),
        ("faster than pandora-hub: p50 @ 1000/s", f"{two['fixed']['p50Us']:.0f} vs {pan['fixed']['p50Us']:.0f} us",
         "lower", two["fixed"]["p50Us"] < pan["fixed"]["p50Us"]),
        ("faster than pandora-hub: p99 @ 1000/s", f"{two['fixed']['p99Us']:.0f} vs {pan['fixed']['p99Us']:.0f} us",
         "lower", two["fixed"]["p99Us"] < pan["fixed"]["p99Us"]),
        ("faster than pandora-hub: saturation calls/s",
         f"{two['saturation']['rps']:.0f} vs {pan['saturation']['rps']:.0f}", "higher",
         two["saturation"]["rps"] > pan["saturation"]["rps"]),
        # Pandora's path has one router between caller and provider; so does a call to a publisher in the same pod.
        ("same shape as pandora-hub (one router): p50 @ 1000/s, same-pod path vs pandora-hub",
         f"{loc['fixed']['p50Us']:.0f} vs {pan['fixed']['p50Us']:.0f} us", "lower",
         loc["fixed"]["p50Us"] < pan["fixed"]["p50Us"]),
        ("same shape as pandora-hub: saturation calls/s, same-pod path vs pandora-hub",
         f"{loc['saturation']['rps']:.0f} vs {pan['saturation']['rps']:.0f}", "higher",
         loc["saturation"]["rps"] > pan["saturation"]["rps"]),
        ("same shape as pandora-hub: router CPU per 1000 calls @ 1000/s, sidecar vs hub",
         f"{loc['cpuSecondsPer1000'][a]} vs {pan['cpuSecondsPer1000'][hub_pid]} CPU-s", "lower",
         loc["cpuSecondsPer1000"][a] < pan["cpuSecondsPer1000"][hub_pid]),
        ("sidecar RSS peak (VmHWM, includes the JIT warm-up)", f"a {r['rssPeakMiB']['a']} / b {r['rssPeakMiB']['b']} MiB",
         "<= 96 MiB", max(r["rssPeakMiB"].values()) <= 96),
    ]
    r["targets"] = [{"what": t[0], "measured": t[1], "target": t[2], "met": t[3]} for t in targets]

    def row(name, p, cpu):
        f, s = p["fixed"], p["saturation"]
        return (f"| {name} | {f['p50Us']:.0f} | {f['p90Us']:.0f} | {f['p99Us']:.0f} | {f['p999Us']:.0f} | "
                f"{f['rps']:.0f} | {f['errors']} | {s['rps']:.0f} | {s['p50Us']:.0f} | {s['p99Us']:.0f} | {cpu} | "
                f"{p['loadavg1'][0]} -> {p['loadavg1'][1]} |")

    lines = [
        f"# Hub benchmark {r['date']}",
        "",
        f"Machine: {r['cpus']} CPUs (shared with other builds; load average before {' '.join(r['loadavgBefore'])}, "
        f"after {' '.join(r['loadavgAfter'])}), {r['java']}, node {r['node']}. All processes on loopback.",
        f"Fixed rate {r['rate']:.0f} calls/s over {r['connsFixed']} keep-alive connections (open loop: latency from "
        f"each call's scheduled time), {r['measureS']:.0f} s after a {r['warmupS']:.0f} s warm-up; saturation: "
        f"{r['connsSaturation']} calls in flight, {r['saturationS']:.0f} s. Payload {r['bodyBytes']} B each way. "
        f"Whole run {r['wallSeconds']} s. Command: `bench/hub/run.sh`.",
        "",
        "| path | p50 us | p90 us | p99 us | p99.9 us | calls/s | errors | sat. calls/s | sat. p50 us | sat. p99 us "
        "| CPU-s per 1000 calls @ fixed rate | machine load avg (1 min) during phase |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
        row("direct HTTP app -> app", d, "-"),
        row("app -> local sidecar hop (GET /v1/context)", hop, f"sidecar {hop['cpuSecondsPer1000'][a]}"),
        row("app -> sidecar -> publisher in the same pod (WebSocket)", loc, f"sidecar {loc['cpuSecondsPer1000'][a]}"),
        row("**app -> sidecar a -> sidecar b -> publisher (WebSocket)**", two, f"a {cpu_a}, b {cpu_b}"),
        row("pandora-hub: consumer -> hub -> provider (Unix socket)", pan,
            f"hub {pan['cpuSecondsPer1000'][hub_pid]}"),
        "",
        f"Sidecar ready (spawn to READY line): {r['sidecarReadyMs']} ms. RSS idle (at rest 8 s after start, publisher connected): "
        f"a {r['rssIdleMiB']['a']} MiB, b {r['rssIdleMiB']['b']} MiB; max under load (fixed / saturation): a "
        f"{two['rssMaxMiBFixed'][a]} / {two['rssMaxMiBSaturation'][a]} MiB, b {two['rssMaxMiBFixed'][b]} / "
        f"{two['rssMaxMiBSaturation'][b]} MiB; after all phases: a {r['rssAfterLoadMiB']['a']}, b "
        f"{r['rssAfterLoadMiB']['b']} MiB (peak VmHWM a {r['rssPeakMiB']['a']}, b {r['rssPeakMiB']['b']} MiB). "
        f"pandora-hub process RSS idle {r['pandoraHubRssIdleMiB']} MiB.",
        f"Saturation CPU-s per 1000 calls: sidecar a {two['cpuSecondsPer1000Saturated'][a]}, b "
        f"{two['cpuSecondsPer1000Saturated'][b]}; pandora hub {pan['cpuSecondsPer1000Saturated'][hub_pid]}.",
        "",
        "The machine's other work (load average column) lands in the tails: a p99 difference is only meaningful "
        "when both phases ran at a similar load." + (" Here the direct run's p99 exceeds the sidecar path's, so "
                                                     "the added p99 is not meaningful." if added99 < 0 else ""),
        "",
        "## Targets (DESIGN.md)",
        "",
        "| target | measured | goal | met |",
        "| --- | --- | --- | --- |",
    ] + [f"| {t[0]} | {t[1]} | {t[2]} | {'yes' if t[3] else '**no**'} |" for t in targets]
    stamp = r["date"].replace(":", "").replace("-", "")[:13]
    out_dir = os.path.join(ROOT, "bench", "results")
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, f"hub-{stamp}")
    with open(base + ".json", "w") as f:
        json.dump(r, f, indent=2)
    with open(base + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten: {base}.md and .json", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        # Re-render the Markdown (and targets) from a saved JSON result.
        write(json.load(open(sys.argv[2])))
    else:
        main()

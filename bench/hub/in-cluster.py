#!/usr/bin/env python3
"""The hub inside the local cluster, pod to pod through the CNI, against direct pod-to-pod HTTP between the same
pods (issue 12, part 3), and the sidecars' memory as the kubelet reports it (part 2).

Run by bench/hub/in-cluster.sh on a running local cluster with the operator installed (make demo, or
e2e/cluster/up + helm install). Applies bench/hub/in-cluster/procgroup.yaml in namespace hub-bench, waits for it to be
Running, measures the idle working set, warms both paths up, then for each round runs direct and hub in turn at a
fixed rate (open loop) and at saturation (closed loop), reading before and after each run the two sidecars'
process_cpu_seconds_total (through the API server's pod proxy) and sampling the containers' working set (metrics.k8s.io) all along.
Writes bench/results/hub-cluster-<stamp>.{json,md}; deletes the namespace at the end unless --keep.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NS = "hub-bench"
GROUP = "hub-bench"
KUBECTL = os.environ.get("KUBECTL", "kubectl")
HUB_CONTAINER = "procgroup-hub"


def log(msg):
    print(f"[hub-in-cluster {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def kubectl(*args, input=None, check=True):
    r = subprocess.run([KUBECTL, "--request-timeout=30s", *args], input=input, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise SystemExit(f"kubectl {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def loadavg():
    return open("/proc/loadavg").read().split()[0]


def wait_running(timeout=240):
    end = time.time() + timeout
    while time.time() < end:
        phase = kubectl("-n", NS, "get", "procgroup", GROUP, "-o", "jsonpath={.status.phase}", check=False)
        if phase == "Running":
            return
        time.sleep(1)
    raise SystemExit(f"group {GROUP} not Running within {timeout} s: {kubectl('-n', NS, 'get', 'pg', check=False)}")


def pods():
    items = json.loads(kubectl("-n", NS, "get", "pods", "-l", f"procgroup.dev/group={GROUP}", "-o", "json"))["items"]
    live = [p for p in items if not p["metadata"].get("deletionTimestamp")]
    return {p["metadata"]["labels"]["procgroup.dev/process"]: p for p in live}


def sidecar_metric(pod, name):
    text = kubectl("get", "--raw", f"/api/v1/namespaces/{NS}/pods/{pod}:9464/proxy/metrics")
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise SystemExit(f"no {name} in {pod}'s sidecar metrics")


def sidecar_cpu(pod):
    return sidecar_metric(pod, "process_cpu_seconds_total")


def mib(quantity):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for u, f in units.items():
        if quantity.endswith(u):
            return float(quantity[:-len(u)]) * f / 2**20
    return float(quantity) / 2**20


def summary(node):
    """Working set (MiB) of every container of the group's pods as the kubelet reports it (its resource metrics,
    served by metrics-server: what `kubectl top` and the eviction manager use), and each sidecar's own RSS."""
    data = json.loads(kubectl("get", "--raw", f"/apis/metrics.k8s.io/v1beta1/namespaces/{NS}/pods"))
    out = {}
    for p in data.get("items", []):
        for c in p.get("containers", []):
            out[(p["metadata"]["name"], c["name"])] = {"workingSetMiB": mib(c["usage"]["memory"])}
    for (pod, container), v in out.items():
        if container == HUB_CONTAINER:
            v["rssMiB"] = sidecar_metric(pod, "process_resident_memory_bytes") / 2**20
    return out


def wait_metrics(node, timeout=120):
    """metrics-server has a pod's usage one scrape (15 s) after the pod's first kubelet sample."""
    end = time.time() + timeout
    while True:
        try:
            got = summary(node)
            if sum(1 for (_, c) in got if c == HUB_CONTAINER) == 2:
                return got
        except SystemExit as e:
            if time.time() > end:
                raise
        if time.time() > end:
            raise SystemExit(f"metrics.k8s.io has no usage of both sidecars after {timeout} s")
        time.sleep(3)


class Sampler(threading.Thread):
    """The largest working set of each container while runs go on (the kubelet refreshes its stats every ~10 s)."""

    def __init__(self, node):
        super().__init__(daemon=True)
        self.node, self.peak, self.stopped = node, {}, threading.Event()

    def run(self):
        while not self.stopped.wait(2):
            try:
                for k, v in summary(self.node).items():
                    self.peak[k] = max(self.peak.get(k, 0), v["workingSetMiB"])
            except SystemExit:
                pass


def run(client_ip, kind, rate, seconds):
    url = f"http://{client_ip}:8081/run?kind={kind}&rate={rate}&seconds={seconds}"
    with urllib.request.urlopen(url, timeout=seconds + 60) as r:
        return json.loads(r.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--saturation-seconds", type=int, default=5)
    ap.add_argument("--idle-seconds", type=int, default=30)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M")
    out = os.path.join(ROOT, "bench", "results", f"hub-cluster-{stamp}")
    kubectl("get", "--raw", "/readyz")
    kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": NS, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}))
    kubectl("-n", NS, "apply", "-f", os.path.join(ROOT, "bench", "hub", "in-cluster", "procgroup.yaml"))
    try:
        t0 = time.time()
        wait_running()
        log(f"{GROUP} Running {time.time() - t0:.1f} s after apply")
        ps = pods()
        provider, client = ps["provider"]["metadata"]["name"], ps["client"]["metadata"]["name"]
        node = ps["client"]["spec"]["nodeName"]
        client_ip = ps["client"]["status"]["podIP"]
        log(f"idle {a.idle_seconds} s, then the kubelet's view of the containers")
        time.sleep(a.idle_seconds)
        idle = wait_metrics(node)
        sampler = Sampler(node)
        sampler.start()
        log("warm-up: 10 s of each path")
        for kind in ("direct", "hub"):
            run(client_ip, kind, a.rate, 10)
        runs = []
        for rnd in range(1, a.rounds + 1):
            for mode, rate, seconds in (("fixed", a.rate, a.seconds), ("saturation", 0, a.saturation_seconds)):
                for kind in ("direct", "hub"):
                    cpu0 = {p: sidecar_cpu(p) for p in (client, provider)}
                    load0 = loadavg()
                    r = run(client_ip, kind, rate, seconds)
                    cpu1 = {p: sidecar_cpu(p) for p in (client, provider)}
                    r.update(round=rnd, mode=mode, kind=kind, rate=rate, seconds=seconds, loadavg1=[load0, loadavg()],
                             sidecarCpuPer1000={("caller" if p == client else "provider"):
                                                (cpu1[p] - cpu0[p]) * 1000 / max(1, r["calls"]) for p in cpu0})
                    runs.append(r)
                    log(f"round {rnd} {mode} {kind}: {r['rps']:.0f}/s p50 {r['p50']:.2f} ms p99 {r['p99']:.2f} ms "
                        f"errors {r['errors']} sidecar CPU-s/1000 {r['sidecarCpuPer1000']} load {load0}")
        sampler.stopped.set()
        loaded = summary(node)
        result = {"stamp": stamp, "host": os.uname().nodename, "cpus": os.cpu_count(),
                  "kubernetes": os.environ.get("K8S_VERSION", "?"),
                  "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                           text=True).stdout.strip(),
                  "args": vars(a), "pods": {"caller": client, "provider": provider},
                  "idle": {f"{p}/{c}": v for (p, c), v in idle.items()},
                  "after": {f"{p}/{c}": v for (p, c), v in loaded.items()},
                  "peakWorkingSetMiB": {f"{p}/{c}": v for (p, c), v in sampler.peak.items()}, "runs": runs}
        with open(out + ".json", "w") as f:
            json.dump(result, f, indent=1)
        with open(out + ".md", "w") as f:
            f.write(report(result))
        log(f"wrote {out}.json and .md")
    finally:
        if not a.keep:
            kubectl("delete", "namespace", NS, "--wait=false", check=False)


def med(values):
    values = [v for v in values if v is not None]
    return (statistics.median(values), min(values), max(values)) if values else (float("nan"),) * 3


def cell(t, fmt="{:.0f}"):
    return f"{fmt.format(t[0])} ({fmt.format(t[1])} – {fmt.format(t[2])})"


def report(r):
    a = r["args"]
    lines = [f"# Hub in the cluster, pod to pod {r['stamp']}", "",
             f"Machine: {r['host']}, {r['cpus']} CPUs; Kubernetes {r['kubernetes']} (the project's local single-node "
             f"cluster: bridge CNI, kube-proxy iptables, kube-router NetworkPolicies); Procgroup as of {r['commit']}; "
             "peer mTLS on (the chart's default), the group's NetworkPolicy on. Command: `bench/hub/in-cluster.sh`.",
             "",
             "Two pods of one group (bench/hub/in-cluster/procgroup.yaml): `client`'s app is the load generator, "
             "`provider`'s app answers the same 1 KiB echo on the hub (`echo.echo`, published over the WebSocket) and "
             "as plain HTTP on its port 8080 (through its process Service: kube-proxy's DNAT, no proxy process). "
             f"Direct: client app -> provider app. Hub: client app -> client's sidecar -> (mTLS) -> provider's "
             f"sidecar -> provider app. {a['rounds']} rounds; in each, direct then hub at {a['rate']} calls/s for "
             f"{a['seconds']} s (open loop, 4 keep-alive connections, latency from the scheduled time), then both at "
             f"saturation for {a['saturation_seconds']} s (8 in flight). Cells: median (min – max) over the rounds. "
             "Sidecar CPU from each sidecar's process_cpu_seconds_total before and after the run, per 1000 calls. "
             "Memory: the working set as the kubelet reports it (its resource metrics through metrics-server: what `kubectl top` and evictions use); RSS: the sidecar's own process_resident_memory_bytes.", "",
             "| mode | path | calls/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors | added p50 / p99 over direct, ms "
             "| caller sidecar CPU-s / 1000 calls | provider sidecar CPU-s / 1000 calls | load avg (1 min) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |"]
    for mode in ("fixed", "saturation"):
        for kind in ("direct", "hub"):
            rs = [x for x in r["runs"] if x["mode"] == mode and x["kind"] == kind]
            if not rs:
                continue
            added = ""
            if kind == "hub":
                ds = {x["round"]: x for x in r["runs"] if x["mode"] == mode and x["kind"] == "direct"}
                p50 = med([x["p50"] - ds[x["round"]]["p50"] for x in rs if x["round"] in ds])
                p99 = med([x["p99"] - ds[x["round"]]["p99"] for x in rs if x["round"] in ds])
                added = f"{cell(p50, '{:+.3f}')} / {cell(p99, '{:+.3f}')}"
            cpu = lambda side: cell(med([x["sidecarCpuPer1000"][side] for x in rs]), "{:.3f}") if kind == "hub" else "-"
            lines.append(f"| {mode} | {kind} | {cell(med([x['rps'] for x in rs]))} | "
                         + " | ".join(cell(med([x[q] for x in rs]), "{:.2f}") for q in ("p50", "p90", "p99", "p999"))
                         + f" | {sum(x['errors'] for x in rs)} | {added or '-'} | {cpu('caller')} | {cpu('provider')} | "
                         + ", ".join(f"{x['loadavg1'][0]}→{x['loadavg1'][1]}" for x in rs) + " |")
    lines += ["", "Memory of each container, MiB (working set: the kubelet's, through metrics.k8s.io; RSS: the sidecar's own):", "",
              "| container | working set idle | RSS idle | working set peak under load | working set after |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for key in sorted(r["idle"]):
        i, after = r["idle"][key], r["after"].get(key, {})
        lines.append(f"| {key} | {i['workingSetMiB']:.1f} | {i.get('rssMiB', float('nan')):.1f} | "
                     f"{r['peakWorkingSetMiB'].get(key, float('nan')):.1f} | {after.get('workingSetMiB', float('nan')):.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()

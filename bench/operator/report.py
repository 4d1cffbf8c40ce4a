#!/usr/bin/env python3
"""Tables and plot of one bench/operator/run.sh run: <prefix>.jsonl (one line per phase) -> .md, .json, .png."""
import json
import statistics
import sys
from collections import defaultdict

READS = ("get", "list", "watch")
WRITES = ("create", "update", "patch", "delete")


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s, unit="", digits=1):
    if s is None:
        return "–"
    if s["n"] == 1:
        return f"{s['median']:.{digits}f}{unit}"
    return f"{s['median']:.{digits}f}{unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def main(prefix):
    phases = [json.loads(line) for line in open(prefix + ".jsonl") if line.strip()]
    meta = open(prefix + ".meta").read().strip()
    direct = {(p["groups"], p["rep"]): p.get("convergeSeconds") for p in phases if p["variant"] == "direct"}
    cells = defaultdict(list)
    for p in phases:
        cells[(p["variant"], p["groups"])].append(p)
    summary = []
    for (variant, n), ps in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0] != "direct", kv[0][0])):
        def per_group(p, verbs):
            r = p.get("requestsByVerb")
            return None if r is None else sum(v for k, v in r.items() if k in verbs) / n
        row = {
            "variant": variant, "groups": n, "phases": len(ps),
            "converged": sum(1 for p in ps if p.get("converged")),
            "readyAtEnd": spread([p.get("ready") for p in ps]),
            "convergeSeconds": spread([p.get("convergeSeconds") for p in ps]),
            "vsDirect": spread([p["convergeSeconds"] / direct[(n, p["rep"])] for p in ps
                                if variant != "direct" and p.get("convergeSeconds") and direct.get((n, p["rep"]))]),
            "peakRssMiB": spread([p.get("peakRssMiB") for p in ps]),
            "cpuSeconds": spread([p.get("cpuSeconds") for p in ps]),
            "readsPerGroup": spread([per_group(p, READS) for p in ps]),
            "writesPerGroup": spread([per_group(p, WRITES) for p in ps]),
            "reconcilesPerGroup": spread([p["reconciles"] / n if "reconciles" in p else None for p in ps]),
            "hopP50Ms": spread([p.get("hopMs", {}).get("p50") for p in ps]),
            "hopP99Ms": spread([p.get("hopMs", {}).get("p99") for p in ps]),
            "failures": [p["failed"][:300] for p in ps if p.get("failed")],
            "overMemoryLimit": sum(1 for p in ps if p.get("overMemoryLimit")),
        }
        summary.append(row)
    json.dump({"meta": meta, "summary": summary, "phases": phases}, open(prefix + ".json", "w"), indent=1)

    lines = [f"# Operator scale benchmark ({prefix.rsplit('/', 1)[-1]})", "", "```", meta, "```", "",
             "Median (min–max) over the repetitions; \"× direct\" is each repetition's time over the direct apply "
             "of the same repetition. Converged: direct = every Deployment available; operator = every group "
             "Running; a phase that has not converged within the timeout (BENCH_TIMEOUT) has no time, and \"done at the "
             "end\" counts what had (groups Running, or groups whose Deployments were all available).", "",
             "| N | variant | converged | done at the end (of N) | time s | × direct | RSS peak MiB | CPU s | reads/group | writes/group "
             "| reconciles/group | hop p50 ms | hop p99 ms |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in summary:
        lines.append(f"| {r['groups']} | {r['variant']} | {r['converged']}/{r['phases']} | {fmt(r['readyAtEnd'], '', 0)} "
                     f"| {fmt(r['convergeSeconds'])} "
                     f"| {fmt(r['vsDirect'], '×', 2)} | {fmt(r['peakRssMiB'], '', 0)} | {fmt(r['cpuSeconds'])} "
                     f"| {fmt(r['readsPerGroup'])} | {fmt(r['writesPerGroup'])} | {fmt(r['reconcilesPerGroup'])} "
                     f"| {fmt(r['hopP50Ms'], '', 0)} | {fmt(r['hopP99Ms'], '', 0)} |")
    lines += ["", "## Phases in the order they ran", "",
              "| rep | N | variant | time s | RSS peak MiB | writes by resource | load before → after | failure |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for p in phases:
        writes = ", ".join(f"{k} {v:.0f}" for k, v in sorted(p.get("writeRequestsByResource", {}).items()))
        lines.append(f"| {p['rep']} | {p['groups']} | {p['variant']} | {p.get('convergeSeconds') or '–'} "
                     f"| {p.get('peakRssMiB', '–')} | {writes} | {p['loadBefore'].split()[0]} → "
                     f"{p['loadAfter'].split()[0]} | {(p.get('failed') or p.get('metricsError') or '')[:200]} |")
    open(prefix + ".md", "w").write("\n".join(lines) + "\n")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plot (pip install matplotlib)", file=sys.stderr)
        return
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for i, variant in enumerate(sorted({r["variant"] for r in summary})):
        colour = f"C{i}"  # one colour per variant in both panels
        rows = [r for r in summary if r["variant"] == variant and r["convergeSeconds"]]
        a.plot([r["groups"] for r in rows], [r["convergeSeconds"]["median"] for r in rows], marker="o",
               color=colour, label=variant)
        rows = [r for r in summary if r["variant"] == variant and r["peakRssMiB"]]
        if rows:
            b.plot([r["groups"] for r in rows], [r["peakRssMiB"]["median"] for r in rows], marker="o",
                   color=colour, label=variant)
    a.set(xlabel="groups (3 processes each)", ylabel="seconds to converge",
          title="convergence (a missing point: not converged in time)")
    b.axhline(512, color="red", linestyle="--", label="chart limit 512Mi")
    b.axhline(256, color="grey", linestyle=":", label="target 256 MiB")
    b.set(xlabel="groups (3 processes each)", ylabel="operator RSS peak, MiB", title="operator memory")
    for ax in (a, b):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(prefix + ".png", dpi=100)


if __name__ == "__main__":
    main(sys.argv[1])

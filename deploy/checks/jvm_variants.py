#!/usr/bin/env python3
"""JVM flag sets (garbage collectors, Netty event loops, ...) compared under the same load, in one run.

Starts the packaged service once per variant (JVM flags after '='), drives the same constant-rate
load at it with the load generator, and prints latency from the intended send time, server time per
request (stage timers), GC pauses (Micrometer's jvm_gc_pause), the service's CPU time per request
and its RSS, with ratios to the first variant. Variants run interleaved, round after round, so that
load from elsewhere hits them alike.

    ./mvnw -B -q -DskipTests package
    python3 deploy/checks/jvm_variants.py --bundle model-artifacts/bundles/synthetic-200k --candidates 10000 \\
      --rate 100 --variant 'G1=' --variant 'ZGC=-XX:+UseZGC' --variant 'Parallel=-XX:+UseParallelGC'
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import service  # noqa: E402


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


GC_LINE = re.compile(r"^jvm_gc_pause_seconds_(count|sum|max)\{([^}]*)\} ([0-9.eE+-]+)$")


def gc_pauses(management: int) -> dict:
    """Sum of pause count and time over every collector and cause, and the largest recent pause."""
    url = f"http://127.0.0.1:{management}/actuator/prometheus"
    with urllib.request.urlopen(url, timeout=10) as r:
        text = r.read().decode()
    out = {"count": 0.0, "sum": 0.0, "max": 0.0}
    for line in text.splitlines():
        m = GC_LINE.match(line)
        if m:
            kind, value = m.group(1), float(m.group(3))
            out[kind] = max(out[kind], value) if kind == "max" else out[kind] + value
    return out


def load(a, grpc: int, http: int, management: int) -> dict:
    target = f"localhost:{grpc}" if a.api == "grpc" else f"http://localhost:{http}"
    args = ["--api", a.api, "--target", target, "--rate", str(a.rate), "--duration", f"{a.duration}s"]
    args += ["--warmup", f"{a.warmup}s", "--k", "100", "--user-range", "1-300"]
    args += ["--metrics-url", f"http://127.0.0.1:{management}/actuator/prometheus"]
    if a.candidates:
        args += ["--candidates", str(a.candidates), "--bundle", a.bundle]
    return service.run_load(args)


def measure(a, name: str, flags: list[str], jar: str) -> dict:
    http, grpc, management = a.http_port, a.grpc_port, a.management_port
    log = os.path.join(tempfile.gettempdir(), f"hcn-jvm-{name}.log")
    args = [] if a.interest_cache else ["--hcn.interests.cache.max-size=0"]
    proc = service.start(jar, log, http, grpc, management, args, flags, bundle=a.bundle)
    try:
        service.wait_ready(proc, management, log)
        pid = proc.pid  # the JVM itself: no shell in between
        gc0, cpu0 = gc_pauses(management), service.cpu_seconds(pid)
        r = load(a, grpc, http, management)
        gc1, cpu1 = gc_pauses(management), service.cpu_seconds(pid)
        rss = rss_mb(pid)
    finally:
        service.stop(proc)
    sent_all = a.rate * (a.duration + a.warmup)
    return {
        "variant": name,
        "flags": " ".join(flags),
        "sent": r["sent"],
        "ok": r["ok"],
        "errors": r.get("errors", {}),
        "p50": r["intendedMs"]["p50"],
        "p99": r["intendedMs"]["p99"],
        "p999": r["intendedMs"]["p99.9"],
        "max": r["intendedMs"]["max"],
        "serverMeanMs": (r.get("server") or {}).get("meanMs"),
        "gcPauses": int(gc1["count"] - gc0["count"]),
        "gcPauseMs": round((gc1["sum"] - gc0["sum"]) * 1000, 1),
        "gcPauseMaxMs": round(gc1["max"] * 1000, 1),
        "cpuMsPerRequest": round((cpu1 - cpu0) * 1000 / sent_all, 3),
        "rssMb": round(rss),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--variant", action="append", required=True, help="NAME=JVM flags (space-separated)")
    p.add_argument(
        "--jar",
        action="append",
        default=[],
        help="NAME=PATH: run that variant from another service jar (an earlier build), to compare code",
    )
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--api", choices=["grpc", "rest"], default="grpc")
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--duration", type=int, default=30, help="measured seconds per run")
    p.add_argument("--warmup", type=int, default=10, help="seconds of the same load first, discarded")
    p.add_argument("--candidates", type=int, default=0, help="candidates per request; 0 = whole catalogue")
    p.add_argument("--bundle", default=service.BUNDLE)
    p.add_argument("--interest-cache", action="store_true", help="leave the interest cache on")
    service.add_port_arguments(p, 18380, 19390, 18381)
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "hcn-jvm-variants.json"))
    a = p.parse_args(argv)
    a.bundle = os.path.abspath(a.bundle)
    jar = service.built_jar()
    if jar is None:
        raise SystemExit("no service jar: run ./mvnw -B -q -DskipTests package first")
    variants = [(v.split("=", 1)[0], v.split("=", 1)[1].split()) for v in a.variant]
    jars = dict(j.split("=", 1) for j in a.jar)
    unknown = set(jars) - {name for name, _ in variants}
    if unknown:
        raise SystemExit(f"--jar names no variant: {sorted(unknown)}")
    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[0]}", flush=True)
    rows = []
    for _ in range(a.rounds):
        for name, flags in variants:
            row = measure(a, name, flags, os.path.abspath(jars.get(name, jar)))
            rows.append(row)
            print(json.dumps(row), flush=True)
    with open(a.out, "w") as f:
        json.dump({"args": vars(a), "rows": rows}, f, indent=1)

    def median(values):
        values = sorted(v for v in values if v is not None)
        return values[len(values) // 2] if values else None

    summary = []
    for name, _ in variants:
        mine = [r for r in rows if r["variant"] == name]
        summary.append(
            {k: median([r[k] for r in mine]) for k in mine[0] if isinstance(mine[0][k], (int, float))}
        )
        summary[-1]["variant"] = name
    base = summary[0]
    print(
        "\n| variant | p50 | p99 | p99.9 | max | p99 ratio | server mean | GC pauses (n / total / max ms) "
        "| CPU ms/request | RSS MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for s in summary:
        ratio = s["p99"] / base["p99"] if base["p99"] else float("nan")
        print(
            f"| {s['variant']} | {s['p50']} | {s['p99']} | {s['p999']} | {s['max']} | {ratio:.2f} | "
            f"{s['serverMeanMs']} | {s['gcPauses']} / {s['gcPauseMs']} / {s['gcPauseMaxMs']} | "
            f"{s['cpuMsPerRequest']} | {s['rssMb']} |"
        )
    with open("/proc/loadavg") as f:
        print(f"\nload average after: {f.read().split()[0]}; rows in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

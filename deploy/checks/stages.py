#!/usr/bin/env python3
"""Where a request's time goes at each load: load steps against one service, server meters per step.

Starts the built service jar (as overload.py does), then runs the load generator once per rate of
--steps, in order, on one API. Around each step it scrapes the service's Prometheus endpoint and
reads the CPU time of the service and of the generator, and prints one JSON line per step:

  * the client's latencies from the intended send time (p50, p99; admitted requests only);
  * the mean of each `hcn_rank_stage` stage and of `hcn_rank_requests` per outcome (server time);
  * the service's and the generator's CPU-seconds in the step, and the GC pause time;
  * sockets of the HTTP port left in TIME_WAIT (a connection closed after each answer shows here).

Whole catalogue per request, k = 100, the bundle's demo users in turn. Interleave the rates
(`--steps 50,250,50,250`) so that drift of the machine falls on both:

    python3 deploy/checks/stages.py --api rest --steps 50,250,50,250 \\
        --bundle model-artifacts/bundles/synthetic-200k
    python3 deploy/checks/stages.py --steps 50,250 -- --hcn.ranking.admission.max-room-wait=0ms

Build first: ./mvnw -B -q -DskipTests package. The lines go to stdout and, as a list, to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service import (
    ROOT,
    add_port_arguments,
    built_jar,
    cpu_seconds,
    run_load,
    start,
    stop,
    wait_ready,
)  # noqa: E402
from soak import demo_users  # noqa: E402

METER = re.compile(
    r"^(hcn_rank_stage_seconds|hcn_rank_requests_seconds|jvm_gc_pause_seconds)(_sum|_count)(\{[^}]*\})? (\S+)"
)


def scrape(port: int) -> dict[str, float]:
    """The sums and counts of the meters above, keyed by name, suffix and labels."""
    with urllib.request.urlopen(f"http://localhost:{port}/actuator/prometheus", timeout=5) as r:
        text = r.read().decode()
    return {m[1] + m[2] + (m[3] or ""): float(m[4]) for m in map(METER.match, text.splitlines()) if m}


def means_ms(delta: dict[str, float], meter: str, label: str) -> dict[str, float]:
    """Mean per value of `label` of a timer over the step, in ms (values without calls left out)."""
    out = {}
    for key, total in delta.items():
        m = re.match(meter + r"_sum\{.*" + label + r'="([\w-]+)"', key)
        count = delta.get(key.replace("_sum", "_count"), 0)
        if m and count:
            out[m[1]] = round(total / count * 1000, 2)
    return out


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_wait(port: int) -> int:
    ss = subprocess.run(
        ["ss", "-tanH", "state", "time-wait", f"( sport = :{port} or dport = :{port} )"],
        capture_output=True,
        text=True,
    )
    return len(ss.stdout.splitlines())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", default="50,250,50,250", help="rates (requests/s), one step each, in order")
    p.add_argument("--api", choices=["rest", "grpc"], default="rest")
    p.add_argument("--duration", type=int, default=20, help="measured seconds per step")
    p.add_argument(
        "--warmup", type=int, default=10, help="seconds of the same load first (meters include it)"
    )
    p.add_argument("--bundle", default=os.path.join(ROOT, "model-artifacts/bundles/synthetic-200k"))
    p.add_argument("--jar", help="service jar (default: the built one)")
    add_port_arguments(p, 18280, 19290, 18281)
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "hcn-stages.json"))
    p.add_argument("service_args", nargs="*", help="extra service arguments, e.g. --hcn.ranking...=..")
    a = p.parse_args(argv)

    log = os.path.join(tempfile.gettempdir(), "hcn-stages-service.log")
    ports = (a.http_port, a.grpc_port, a.management_port)
    proc = start(a.jar or built_jar(), log, *ports, a.service_args, bundle=a.bundle)
    rows = []
    try:
        wait_ready(proc, a.management_port, log)
        users = ",".join(demo_users(a.bundle, 300))
        target = f"http://localhost:{a.http_port}" if a.api == "rest" else f"localhost:{a.grpc_port}"
        for rate in [float(s) for s in a.steps.split(",")]:
            load_average = os.getloadavg()[0]
            before, service0, generator0 = scrape(a.management_port), cpu_seconds(proc.pid), children_cpu()
            r = run_load(
                ["--api", a.api, "--target", target, "--rate", str(rate), "--duration", f"{a.duration}s"]
                + ["--warmup", f"{a.warmup}s", "--k", "100", "--users", users]
            )
            after = scrape(a.management_port)
            delta = {k: v - before.get(k, 0.0) for k, v in after.items()}
            row = {
                "api": a.api,
                "rate": rate,
                "loadAverage": round(load_average, 2),
                "sent": r["sent"],
                "ok": r["ok"],
                "errors": r.get("errors", {}),
                "p50Ms": r["intendedMs"]["p50"] if r["ok"] else None,
                "p99Ms": r["intendedMs"]["p99"] if r["ok"] else None,
                "stageMeanMs": means_ms(delta, "hcn_rank_stage_seconds", "stage"),
                "serverMeanMsByOutcome": means_ms(delta, "hcn_rank_requests_seconds", "outcome"),
                "gcPauseS": round(
                    sum(v for k, v in delta.items() if k.startswith("jvm_gc_pause_seconds_sum")), 3
                ),
                "serviceCpuS": round(cpu_seconds(proc.pid) - service0, 1),
                "generatorCpuS": round(children_cpu() - generator0, 1),
                "httpTimeWait": time_wait(a.http_port),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        stop(proc)
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

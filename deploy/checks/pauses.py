#!/usr/bin/env python3
"""Pauses of the whole service process at a moderate rate: does a pause turn into refused requests?

A GC pause, a descheduled VM or a container throttled by its CPU quota stops every thread of the
service while callers go on sending. When the pause ends, the calls sent during it reach the
service at once. At a moderate rate the service drains them within milliseconds, so none should be
refused.

Starts the built service jar (embedded histories, the ml-1m bundle), warms it up, then for each
length of --pause-ms runs one load generator per API (REST and gRPC, --rate each, users 1-6040,
k = 100) while it stops the service with SIGSTOP for that long every --every-s seconds, --pauses
times. Prints one JSON line per length: the refusals by API and reason (hcn_rank_shed_total), and
per API the requests sent, answered and failed and the p99 from the intended send time (a pause
shows in it). Exits 1 when a request failed at a pause length of --max-clean-ms or less.

    python3 deploy/checks/pauses.py                                   # 0, 100, 200, 300, 500 ms
    python3 deploy/checks/pauses.py --pause-ms 200 -- --hcn.grpc.executor.max-queued=16

Build first: ./mvnw -B -q -DskipTests package. The lines go to stdout and, as a list, to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import service  # noqa: E402
from soak import ML1M_USERS, delta, scrape, sheds  # noqa: E402


def generator(api: str, target: str, rate: float, seconds: float) -> subprocess.Popen:
    cmd = [service.java(), *service.CLI_FLAGS, "-cp", service.CLI, "dev.hcn.loadtest.LoadGenerator"]
    cmd += ["--api", api, "--target", target, "--rate", str(rate), "--k", "100"]
    cmd += ["--duration", f"{seconds:.0f}s", "--warmup", "0s", "--user-range", ML1M_USERS]
    # Failures here mean refusals or errors, not slowness: a generous deadline.
    cmd += ["--deadline-ms", "30000", "--json", "--quiet"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def report(proc: subprocess.Popen, api: str) -> dict:
    lines = [line for line in proc.communicate()[0].splitlines() if line.startswith("{")]
    if not lines:
        return {"api": api, "sent": 0, "ok": 0, "errors": {"generator-failed": 1}}
    r = json.loads(lines[-1])
    return {
        "api": api,
        "sent": r["sent"],
        "ok": r["ok"],
        "errors": r["errors"],
        "p99Ms": r["intendedMs"]["p99"],
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--jar", default=service.built_jar())
    p.add_argument("--bundle", default=service.BUNDLE)
    p.add_argument("--pause-ms", type=int, nargs="+", default=[0, 100, 200, 300, 500])
    p.add_argument("--pauses", type=int, default=10, help="pauses per length")
    p.add_argument("--every-s", type=float, default=2.0, help="seconds from the end of one pause to the next")
    p.add_argument("--rate", type=float, default=150, help="requests per second, per API")
    p.add_argument("--warmup-s", type=int, default=20)
    p.add_argument("--max-clean-ms", type=int, default=300, help="longest pause that must refuse nothing")
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "hcn-pauses.json"))
    service.add_port_arguments(p, 18280, 18290, 18281)
    p.add_argument("service_args", nargs="*", help="after --: extra service arguments")
    a = p.parse_args()
    if not a.jar:
        p.error("no built jar: ./mvnw -B -q -DskipTests package")

    log = os.path.join(tempfile.gettempdir(), "hcn-pauses-service.log")
    proc = service.start(
        a.jar, log, a.http_port, a.grpc_port, a.management_port, a.service_args, bundle=a.bundle
    )
    targets = {"rest": f"http://127.0.0.1:{a.http_port}", "grpc": f"127.0.0.1:{a.grpc_port}"}
    results, failed = [], False
    try:
        service.wait_ready(proc, a.management_port, log)
        for g in [generator(api, t, a.rate, a.warmup_s) for api, t in targets.items()]:
            g.communicate()
        for ms in a.pause_ms:
            before = sheds(scrape(a.management_port))
            gens = {api: generator(api, t, a.rate, a.pauses * a.every_s + 4) for api, t in targets.items()}
            time.sleep(2)
            for _ in range(a.pauses):
                if ms:
                    os.kill(proc.pid, signal.SIGSTOP)
                    time.sleep(ms / 1000)
                    os.kill(proc.pid, signal.SIGCONT)
                time.sleep(a.every_s)
            load = [report(g, api) for api, g in gens.items()]
            shed = delta(sheds(scrape(a.management_port)), before)
            results.append({"pause_ms": ms, "pauses": a.pauses if ms else 0, "shed": shed, "load": load})
            print(json.dumps(results[-1]), flush=True)
            if ms <= a.max_clean_ms and any(r["ok"] < r["sent"] for r in load):
                failed = True
    finally:
        try:
            os.kill(proc.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        service.stop(proc)
    with open(a.out, "w") as f:
        json.dump({"rate_per_api": a.rate, "every_s": a.every_s, "steps": results}, f, indent=1)
    verdict = "FAIL: requests failed" if failed else "OK: no request failed"
    print(f"{verdict} at pauses up to {a.max_clean_ms} ms; {a.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

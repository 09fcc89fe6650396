#!/usr/bin/env python3
"""Overload check: the built service driven at 1x, 3x and 5x a sustainable rate, per API.

Starts ranking-service/target/ranking-service-*.jar (the launcher of soak.py), then for each API runs
the load generator (loadtest/target/hcn-cli.jar) at --rate (the sustainable rate, measured first as the
unloaded baseline), then at 3x and 5x that rate. Meanwhile a prober GETs /actuator/health/liveness on
the management port every 100 ms and records each answer's latency. For every run it reports:

  * the p99 of the admitted requests (latency from the intended send time, successes only) and its
    ratio to the 1x p99 (target: within 2x);
  * requests sent, answered, shed (REST 503, gRPC RESOURCE_EXHAUSTED) and any other failure
    (target: none but sheds);
  * the slowest liveness answer during the run (target: under 1 s) and probes that failed.

Exits 1 when a target is missed. Whole catalogue of the bundle per request, k = 100, demo users in turn.

    python3 deploy/checks/overload.py --rate 500                # ml-1m bundle, gRPC then REST
    python3 deploy/checks/overload.py --rate 300 --candidates 10000 --bundle model-artifacts/bundles/x

Build first: ./mvnw -B -q -DskipTests package. The table is printed; the JSON goes to --out.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service import JVM_FLAGS, ROOT, add_port_arguments, java, ready, run_load  # noqa: E402
from soak import demo_users  # noqa: E402

SHED = {"grpc": ("RESOURCE_EXHAUSTED",), "rest": ("HTTP_503",)}


class Prober(threading.Thread):
    """GETs liveness every 100 ms; the latencies of the current window are read and reset."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.url = f"http://localhost:{port}/actuator/health/liveness"
        self.lock = threading.Lock()
        self.window: list[float] = []
        self.failures = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    ok = r.status == 200
            except OSError:
                ok = False
            ms = (time.perf_counter() - t0) * 1000
            with self.lock:
                self.window.append(ms)
                self.failures += 0 if ok else 1
            self.stopped.wait(max(0.0, 0.1 - ms / 1000))

    def take(self) -> dict:
        with self.lock:
            w, f = self.window, self.failures
            self.window, self.failures = [], 0
        return {"probes": len(w), "maxMs": round(max(w), 1) if w else None, "failed": f}


def load(api: str, target: str, rate: float, a, users: list[str]) -> dict:
    args = ["--api", api, "--target", target, "--rate", str(rate), "--duration", f"{a.duration}s"]
    args += ["--warmup", f"{a.warmup}s", "--k", "100", "--users", ",".join(users)]
    if a.candidates:
        args += ["--candidates", str(a.candidates), "--bundle", a.bundle]
    args += ["--arrivals", a.arrivals]
    return run_load(args)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, required=True, help="sustainable rate (requests/s), the 1x run")
    p.add_argument("--factors", default="1,3,5")
    p.add_argument("--apis", default="grpc,rest")
    p.add_argument("--duration", type=int, default=20, help="measured seconds per run")
    p.add_argument("--warmup", type=int, default=5, help="seconds of the same load first, discarded")
    p.add_argument("--candidates", type=int, default=0, help="candidates per request; 0 = whole catalogue")
    p.add_argument(
        "--arrivals",
        choices=["constant", "poisson"],
        default="constant",
        help="one request every 1/rate, or a Poisson stream of that rate (callers that cluster)",
    )
    p.add_argument("--bundle", default=os.path.join(ROOT, "model-artifacts/bundles/hcn-ml1m"))
    add_port_arguments(p, 18280, 19290, 18281)
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "hcn-overload.json"))
    p.add_argument("service_args", nargs="*", help="extra service arguments, e.g. --hcn.ranking...=..")
    a = p.parse_args(argv)

    jar = glob.glob(os.path.join(ROOT, "ranking-service/target/ranking-service-*[0-9T].jar"))[0]
    log = open(os.path.join(tempfile.gettempdir(), "hcn-overload-service.log"), "w")
    service = subprocess.Popen(
        [java(), *JVM_FLAGS, "-jar", jar]
        + [f"--server.port={a.http_port}", f"--spring.grpc.server.port={a.grpc_port}"]
        + [f"--management.server.port={a.management_port}", f"--hcn.model.bundle-path={a.bundle}"]
        + a.service_args,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    rows, failed = [], False
    try:
        deadline = time.time() + 120
        while not ready(a.management_port):
            if time.time() > deadline or service.poll() is not None:
                raise SystemExit("service did not become ready; see " + log.name)
            time.sleep(0.2)
        users = demo_users(a.bundle, 300)
        prober = Prober(a.management_port)
        prober.start()
        targets = {"grpc": f"localhost:{a.grpc_port}", "rest": f"http://localhost:{a.http_port}"}
        for api in a.apis.split(","):
            base = None
            for factor in [float(f) for f in a.factors.split(",")]:
                prober.take()
                r = load(api, targets[api], a.rate * factor, a, users)
                live = prober.take()
                errors = r.get("errors", {})
                shed = sum(v for k, v in errors.items() if any(s in k for s in SHED[api]))
                other = {k: v for k, v in errors.items() if not any(s in k for s in SHED[api])}
                p99 = r["intendedMs"]["p99"] if r.get("ok") else None
                base = base if base is not None else p99
                row = {
                    "api": api,
                    "factor": factor,
                    "rate": a.rate * factor,
                    "sent": r["sent"],
                    "ok": r["ok"],
                    "shed": shed,
                    "otherErrors": other,
                    "admittedP50Ms": r["intendedMs"]["p50"] if r.get("ok") else None,
                    "admittedP99Ms": p99,
                    "p99VsUnloaded": round(p99 / base, 2) if p99 and base else None,
                    "livenessMaxMs": live["maxMs"],
                    "livenessProbes": live["probes"],
                    "livenessFailed": live["failed"],
                }
                row["met"] = (
                    not other
                    and live["failed"] == 0
                    and (live["maxMs"] or 0) < 1000
                    and (row["p99VsUnloaded"] or 0) <= 2.0
                )
                failed |= not row["met"]
                rows.append(row)
                print(json.dumps(row), flush=True)
        prober.stopped.set()
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(60)
        except subprocess.TimeoutExpired:
            service.kill()
    with open(a.out, "w") as f:
        json.dump({"rate": a.rate, "candidates": a.candidates, "bundle": a.bundle, "rows": rows}, f, indent=1)
    print(
        "| api | load | rate/s | sent | ok | shed | other failures | admitted p50 | admitted p99 | "
        "p99 vs 1x | liveness max | target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(
            f"| {r['api']} | {r['factor']:g}x | {r['rate']:g} | {r['sent']} | {r['ok']} | {r['shed']} | "
            f"{r['otherErrors'] or 'none'} | {r['admittedP50Ms']} | {r['admittedP99Ms']} | "
            f"{r['p99VsUnloaded']} | {r['livenessMaxMs']} ms | {'met' if r['met'] else 'MISSED'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

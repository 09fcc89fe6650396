#!/usr/bin/env python3
"""Soak test: the built service under mixed REST and gRPC load for a long time, watching its memory.

Starts ranking-service/target/ranking-service-*.jar with native memory tracking, then drives it with
the load generator (loadtest/target/hcn-cli.jar) over REST and gRPC at the same time, in back-to-back
rounds of --round-s seconds. After every round it samples the process RSS and the JVM's own view of
its native memory (NMT); memory ONNX Runtime allocates does not pass through the JVM, so it shows as
RSS minus NMT-committed ("untracked"). After --warmup-s it keeps a baseline and finally reports:

  * requests sent, answered and failed (any non-200 / non-OK, timeout or connection error);
  * RSS, NMT-committed and untracked growth from the baseline to the end, in percent and MB.

Exits 1 when any request failed or RSS grew by 5% or more after warm-up.

With --redis the service reads histories from a Redis server the script starts itself (its own port,
no persistence), filled by the project's importer from --data, while a trickle of POST /v1/events
writes goes on; every --fault-every-s one fault is injected, in turn:

  * pause: redis-server is stopped with SIGSTOP for --fault-s seconds (a hung store: timeouts), then
    resumed;
  * down: redis-server is killed, left down for --fault-s seconds, restarted and re-imported.

Ranking must keep answering (from the history cache or as a cold start, with fallbackReason) through
every fault, so a failed ranking request is a failure of the service; events answer 503 while the
store is away, which is counted separately. The report adds the faults, the fallback counters and
the events' outcomes.

    python3 deploy/checks/soak.py --minutes 30 --rate 600      # ~1.08 M requests, half per API
    python3 deploy/checks/soak.py --minutes 2 --rate 200       # a quick look
    python3 deploy/checks/soak.py --minutes 30 --rate 300 --redis   # Redis source with faults

Build first: ./mvnw -B -q -DskipTests package. The result is printed and written as JSON (--out).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JVM_FLAGS = ["--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"]
NMT_TOTAL = re.compile(r"Total: reserved=(\d+)KB, committed=(\d+)KB")


def java() -> str:
    home = os.environ.get("JAVA_HOME") or (sorted(glob.glob("/usr/lib/jvm/temurin-25-jdk*")) or [""])[0]
    return os.path.join(home, "bin", "java") if home else "java"


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def nmt_committed_kb(pid: int) -> int:
    out = subprocess.run(
        [os.path.join(os.path.dirname(java()), "jcmd"), str(pid), "VM.native_memory", "summary"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    m = NMT_TOTAL.search(out)
    return int(m.group(2)) if m else -1


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://localhost:{port}/actuator/health/readiness", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def demo_users(bundle: str, count: int) -> list[str]:
    with open(os.path.join(bundle, "demo_histories.json")) as f:
        data = json.load(f)
    users = data.get("users", data) if isinstance(data, dict) else data
    return [str(u) for u in list(users)[:count]]


def load_round(cli: str, api: str, target: str, rate: float, seconds: int, users: list[str]) -> dict:
    cmd = [java(), "-cp", cli, "dev.hcn.loadtest.LoadGenerator", "--api", api, "--target", target]
    cmd += ["--rate", str(rate), "--duration", f"{seconds}s", "--warmup", "0s", "--k", "100"]
    # Errors here mean failures, not slowness: a generous deadline.
    cmd += ["--deadline-ms", "30000", "--users", ",".join(users), "--json"]
    # No timeout: a pause of the whole machine (SIGSTOP) must not count as a failure of the service.
    out = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"sent": 0, "ok": 0, "errors": {"generator-failed": 1}, "stderr": out.stderr[-500:]}
    r = json.loads(lines[-1])
    # Latency from the intended send time, so that a stalled service shows.
    r["p50Ms"], r["p99Ms"] = r["intendedMs"]["p50"], r["intendedMs"]["p99"]
    return r


class RedisUnderFaults:
    """A private redis-server filled by the importer, and the faults injected into it."""

    def __init__(self, port: int, data: str, bundle: str):
        self.port, self.data, self.bundle = port, data, bundle
        self.process = None
        self.faults = []

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port)]
            + ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 20
        while not self.answers():
            if time.time() > deadline:
                raise SystemExit(f"redis-server did not start on port {self.port}")
            time.sleep(0.1)
        subprocess.run(
            [sys.executable, "-m", "hcn.redis_import", "--dataset", "ml-1m", "--path", self.data]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--bundle", self.bundle, "--no-progress"],
            cwd=os.path.join(ROOT, "model-artifacts"),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                return c.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def inject(self, kind: str, seconds: float, t_s: float) -> None:
        if kind == "pause":
            self.process.send_signal(signal.SIGSTOP)
            time.sleep(seconds)
            self.process.send_signal(signal.SIGCONT)
        else:
            self.process.kill()
            self.process.wait()
            time.sleep(seconds)
            self.start()
        self.faults.append({"kind": kind, "at_s": round(t_s), "seconds": seconds})

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait()


def post_events(http_port: int, users: list[str], stop: threading.Event, counts: dict) -> None:
    """One small events batch per second; 202 while the store is up, 503 while it is away."""
    n = 0
    while not stop.wait(1.0):
        n += 1
        body = {"events": [{"userId": users[n % len(users)], "itemId": 1193 + n % 50}]}
        req = urllib.request.Request(
            f"http://localhost:{http_port}/v1/events",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                key = str(r.status)
        except urllib.error.HTTPError as e:
            key = str(e.code)
        except OSError as e:
            key = type(e).__name__
        counts[key] = counts.get(key, 0) + 1


def fallback_counts(management_port: int) -> dict:
    out = {}
    with urllib.request.urlopen(f"http://localhost:{management_port}/actuator/prometheus", timeout=10) as r:
        for line in r.read().decode().splitlines():
            m = re.match(r'hcn_rank_fallbacks_total\{.*reason="([^"]+)".*\} ([0-9.eE+]+)', line)
            if m and float(m.group(2)) > 0:
                out[m.group(1)] = int(float(m.group(2)))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--rate", type=float, default=600, help="requests per second, split evenly REST/gRPC")
    p.add_argument("--round-s", type=int, default=30)
    p.add_argument("--warmup-s", type=int, default=120)
    p.add_argument("--bundle", default=os.path.join(ROOT, "model-artifacts/bundles/hcn-ml1m"))
    p.add_argument("--http-port", type=int, default=28080)
    p.add_argument("--grpc-port", type=int, default=29090)
    p.add_argument("--management-port", type=int, default=28081)
    p.add_argument(
        "--jar", help="service jar (default: the built one); a copy keeps rebuilds out of a long run"
    )
    p.add_argument("--cli", help="load generator jar (default: loadtest/target/hcn-cli.jar)")
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "hcn-soak.json"))
    p.add_argument("--redis", action="store_true", help="Redis history source with injected faults")
    p.add_argument("--redis-port", type=int, default=26379)
    p.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "datasets", "ml-1m"))
    p.add_argument("--fault-every-s", type=float, default=120)
    p.add_argument("--fault-s", type=float, default=10)
    a = p.parse_args(argv)

    jar = a.jar or glob.glob(os.path.join(ROOT, "ranking-service/target/ranking-service-*[0-9T].jar"))[0]
    cli = a.cli or os.path.join(ROOT, "loadtest/target/hcn-cli.jar")
    log = open(os.path.join(tempfile.gettempdir(), "hcn-soak-service.log"), "w")
    redis, source = None, []
    if a.redis:
        redis = RedisUnderFaults(a.redis_port, os.path.abspath(a.data), a.bundle)
        redis.start()
        source = ["--hcn.history.source=redis", "--spring.data.redis.host=127.0.0.1"]
        source += [f"--spring.data.redis.port={a.redis_port}"]
    service = subprocess.Popen(
        [java(), *JVM_FLAGS, "-XX:NativeMemoryTracking=summary", "-jar", jar]
        + [f"--server.port={a.http_port}", f"--spring.grpc.server.port={a.grpc_port}"]
        + [f"--management.server.port={a.management_port}", f"--hcn.model.bundle-path={a.bundle}"]
        + source,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    try:
        deadline = time.time() + 120
        while not ready(a.management_port):
            if time.time() > deadline or service.poll() is not None:
                raise SystemExit("service did not become ready; see " + log.name)
            time.sleep(0.2)
        users = demo_users(a.bundle, 500)
        start = time.time()
        end = start + a.minutes * 60
        rounds, baseline = [], None
        totals = {"sent": 0, "ok": 0, "errors": {}}
        stop, events = threading.Event(), {}
        helpers = []
        if redis:
            helpers.append(threading.Thread(target=post_events, args=(a.http_port, users, stop, events)))

            def faults():
                kinds = ["pause", "down"]
                while not stop.wait(a.fault_every_s):
                    if time.time() + a.fault_s + 30 > end:
                        return
                    redis.inject(kinds[len(redis.faults) % 2], a.fault_s, time.time() - start)

            helpers.append(threading.Thread(target=faults))
        for h in helpers:
            h.start()
        with ThreadPoolExecutor(2) as pool:
            while time.time() < end:
                seconds = max(1, min(a.round_s, int(end - time.time())))
                t0 = time.time()
                futures = [
                    pool.submit(
                        load_round, cli, "rest", f"http://localhost:{a.http_port}", a.rate / 2, seconds, users
                    ),
                    pool.submit(
                        load_round, cli, "grpc", f"localhost:{a.grpc_port}", a.rate / 2, seconds, users
                    ),
                ]
                results = [f.result() for f in futures]
                sample = {
                    "t_s": round(time.time() - start),
                    "wall_s": round(time.time() - t0, 1),
                    "rss_kb": rss_kb(service.pid),
                    "nmt_committed_kb": nmt_committed_kb(service.pid),
                    "rest": {k: results[0].get(k) for k in ("sent", "ok", "errors", "p50Ms", "p99Ms")},
                    "grpc": {k: results[1].get(k) for k in ("sent", "ok", "errors", "p50Ms", "p99Ms")},
                }
                sample["untracked_kb"] = sample["rss_kb"] - sample["nmt_committed_kb"]
                rounds.append(sample)
                for r in results:
                    totals["sent"] += r.get("sent", 0)
                    totals["ok"] += r.get("ok", 0)
                    for k, v in r.get("errors", {}).items():
                        totals["errors"][k] = totals["errors"].get(k, 0) + v
                if baseline is None and sample["t_s"] >= a.warmup_s:
                    baseline = sample
                print(json.dumps(sample), flush=True)
        stop.set()
        for h in helpers:
            h.join()
        last = rounds[-1]
        base = baseline or rounds[0]

        def growth(key):
            return {
                "from_mb": round(base[key] / 1024, 1),
                "to_mb": round(last[key] / 1024, 1),
                "percent": round(100.0 * (last[key] - base[key]) / base[key], 2),
            }

        failed = sum(totals["errors"].values())
        summary = {
            "minutes": a.minutes,
            "rate": a.rate,
            "bundle": a.bundle,
            "sent": totals["sent"],
            "ok": totals["ok"],
            "failed": failed,
            "errors": totals["errors"],
            "baseline_at_s": base["t_s"],
            "rss": growth("rss_kb"),
            "nmt_committed": growth("nmt_committed_kb"),
            "untracked_native": growth("untracked_kb"),
        }
        if redis:
            summary["redis"] = {
                "faults": redis.faults,
                "fallbacks": fallback_counts(a.management_port),
                "events": events,
            }
        summary["rounds"] = rounds
        with open(a.out, "w") as f:
            json.dump(summary, f, indent=1)
        print(json.dumps({k: v for k, v in summary.items() if k != "rounds"}, indent=1))
        return 0 if failed == 0 and summary["rss"]["percent"] < 5 else 1
    finally:
        service.send_signal(signal.SIGTERM)
        try:
            service.wait(60)
        except subprocess.TimeoutExpired:
            service.kill()
        if redis:
            redis.stop()


if __name__ == "__main__":
    sys.exit(main())

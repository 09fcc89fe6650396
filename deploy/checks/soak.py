#!/usr/bin/env python3
"""Soak test: the built service under mixed REST and gRPC load for a long time, watching its memory,
with Redis as the history store and Redis faults injected during the run.

Starts ranking-service/target/ranking-service-*.jar with native memory tracking, then drives it with
one load generator process per API (loadtest/target/hcn-cli.jar), REST and gRPC at the same time,
in back-to-back rounds of --round-s seconds (the generator's --runs: one warm client for the whole
soak); --ramp-s ramps the first round up from zero. After every round it samples the process RSS
and the JVM's own view of its native memory (NMT); memory ONNX Runtime allocates does not pass
through the JVM, so it shows as RSS minus NMT-committed ("untracked"). After --warmup-s it keeps a
baseline.

With --redis (the default when redis-server is on the PATH) the script starts its own redis-server
(--redis-port, default a free one; no persistence), imports the ml-1m histories into it with the
project's importer (python3 -m hcn.redis_import, from --dataset), runs the service with
hcn.history.source=redis, ranks users 1-6040, and posts POST /v1/events batches at --events-rate.
After warm-up, every --fault-every rounds one Redis fault starts --fault-at-s into the round and lasts
--fault-s seconds, cycling through:

  * pause: CLIENT PAUSE (Redis accepts connections but answers nothing);
  * hang:  SIGSTOP / SIGCONT of redis-server (a hung process, TCP still open);
  * down:  SAVE, SIGKILL, then a restart on the same port that loads the snapshot (a crash).

Ranking must keep answering 200 through every fault (fallback answers). Events posted while Redis is
unavailable get 503 history-store-unavailable: that is the API's contract (never a silent drop), so
they are counted as "refused", not as failures. The report gives:

  * requests sent, answered and failed per API (any non-200 / non-OK, timeout or connection error);
  * p50 / p99 per round and API (from the intended send time, so that a stall shows);
  * RSS, NMT-committed and untracked growth from the baseline to the end, in percent and MB;
  * the faults injected, fallbacks per reason (hcn_rank_fallbacks_total) and the breaker's states;
  * requests refused by admission control, per API and reason (hcn_rank_shed_total), per round.

Exits 1 when any ranking request or event post failed, or RSS grew by 5% or more after warm-up.

    python3 deploy/checks/soak.py --minutes 30 --rate 300          # Redis and faults, ~540 k requests
    python3 deploy/checks/soak.py --minutes 30 --rate 300 --ramp-s 30   # the same, slow-start first round
    python3 deploy/checks/soak.py --minutes 30 --rate 600 --no-redis   # embedded histories, ~1.08 M
    python3 deploy/checks/soak.py --minutes 3 --rate 200 --warmup-s 60 # a quick look

Build first: ./mvnw -B -q -DskipTests package. For a long run copy the two jars elsewhere and pass
--jar / --cli, so that a rebuild does not change them under the run. The result is printed and
written as JSON (--out).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import service

ROOT = service.ROOT
NMT_TOTAL = re.compile(r"Total: reserved=(\d+)KB, committed=(\d+)KB")
FALLBACK = re.compile(r'^hcn_rank_fallbacks_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$', re.M)
SHED = re.compile(r"^hcn_rank_shed_total\{([^}]*)\} (\S+)$", re.M)
LABEL = re.compile(r'(\w+)="([^"]*)"')
BREAKER = re.compile(
    r'^resilience4j_circuitbreaker_state\{[^}]*name="historyStore"[^}]*state="([a-z_]+)"[^}]*\} (\S+)$',
    re.M,
)
ML1M_USERS = "1-6040"
FAULTS = ("pause", "hang", "down")


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def nmt_committed_kb(pid: int) -> int:
    out = subprocess.run(
        [service.java("jcmd"), str(pid), "VM.native_memory", "summary"],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    m = NMT_TOTAL.search(out)
    return int(m.group(2)) if m else -1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_users(bundle: str, count: int) -> list[str]:
    with open(os.path.join(bundle, "demo_histories.json")) as f:
        data = json.load(f)
    users = data.get("users", data) if isinstance(data, dict) else data
    return [str(u) for u in list(users)[:count]]


class Redis:
    """A redis-server of the script's own, without persistence except the snapshot a crash restores."""

    def __init__(self, port: int, work: str):
        self.port, self.work, self.proc = port, work, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.work]
            + ["--save", "", "--appendonly", "no"],
            stdout=open(os.path.join(self.work, "redis.log"), "a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while True:
            try:
                if self.command("PING", timeout=1) == "PONG":
                    return
            except OSError:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"redis-server did not start; see {self.work}/redis.log")
            time.sleep(0.2)

    def command(self, *args: str, timeout: float = 10) -> str:
        """One command over RESP; returns the simple-string / integer reply as text."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(
                b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args)
            )
            reply = s.recv(4096).decode()
        if reply.startswith("-"):
            raise RuntimeError(reply.strip())
        return reply[1:].split("\r\n")[0]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def fault(self, kind: str, seconds: float) -> dict:
        """Injects one fault for about `seconds` and brings Redis back; returns what happened."""
        t0 = time.time()
        if kind == "pause":
            self.command("CLIENT", "PAUSE", str(int(seconds * 1000)), "ALL")
            time.sleep(seconds)
        elif kind == "hang":
            os.kill(self.proc.pid, signal.SIGSTOP)
            try:
                time.sleep(seconds)
            finally:
                os.kill(self.proc.pid, signal.SIGCONT)
        elif kind == "down":
            self.command("SAVE", timeout=60)  # the restart loads this snapshot (dump.rdb in --dir)
            self.stop()
            time.sleep(seconds)
            self.start()
        else:
            raise ValueError(kind)
        keys = int(self.command("DBSIZE"))
        return {"kind": kind, "seconds": round(time.time() - t0, 1), "keys_after": keys}


def import_ml1m(python: str, port: int, dataset: str) -> float:
    t0 = time.time()
    subprocess.run(
        [python, "-m", "hcn.redis_import", "--dataset", "ml-1m", "--path", dataset]
        + ["--host", "127.0.0.1", "--port", str(port), "--no-progress"],
        cwd=os.path.join(ROOT, "model-artifacts"),
        check=True,
    )
    return round(time.time() - t0, 1)


def scrape(management: int) -> str:
    url = f"http://127.0.0.1:{management}/actuator/prometheus"
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def fallbacks(text: str) -> dict[str, int]:
    return {reason: int(float(v)) for reason, v in FALLBACK.findall(text)}


def sheds(text: str) -> dict[str, int]:
    """Requests refused by admission control, keyed "api/reason" (hcn_rank_shed_total)."""
    out = {}
    for labels, v in SHED.findall(text):
        tags = dict(LABEL.findall(labels))
        out[f"{tags.get('api')}/{tags.get('reason')}"] = int(float(v))
    return out


def breaker_state(text: str) -> str | None:
    states = [state for state, v in BREAKER.findall(text) if float(v) == 1.0]
    return states[0] if states else None


class Watcher(threading.Thread):
    """Polls the breaker's state every second and keeps its transitions."""

    def __init__(self, management: int, start: float):
        super().__init__(daemon=True)
        self.management, self.t0, self.stopped = management, start, threading.Event()
        self.state, self.transitions, self.scrape_errors = None, [], 0

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            try:
                state = breaker_state(scrape(self.management))
            except OSError:
                self.scrape_errors += 1
                continue
            if state != self.state:
                if self.state is not None:
                    self.transitions.append(
                        {"t_s": round(time.time() - self.t0, 1), "from": self.state, "to": state}
                    )
                self.state = state


class EventWriter(threading.Thread):
    """POST /v1/events at a low rate: one event for a random ml-1m user per request, timestamp now."""

    def __init__(self, http: int, rate: float):
        super().__init__(daemon=True)
        self.url, self.rate, self.stopped = f"http://127.0.0.1:{http}/v1/events", rate, threading.Event()
        self.counts = {"sent": 0, "accepted": 0, "refused_503": 0, "failed": 0}
        self.failures: dict[str, int] = {}
        self.seq = itertools.count()

    def post(self) -> None:
        n = next(self.seq)
        event = {"userId": str(random.randint(1, 6040)), "itemId": random.randint(1, 3952)}
        event["timestamp"] = int(time.time()) + n % 1000  # distinct identities within a second
        body = json.dumps({"events": [event]}).encode()
        req = urllib.request.Request(self.url, body, {"Content-Type": "application/json"})
        self.counts["sent"] += 1
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, kind = r.status, ""
        except urllib.error.HTTPError as e:
            status, kind = e.code, json.loads(e.read() or b"{}").get("type", "")
        except OSError as e:
            status, kind = 0, type(e).__name__
        if status == 202:
            self.counts["accepted"] += 1
        elif status == 503 and kind.endswith("history-store-unavailable"):
            self.counts["refused_503"] += 1
        else:
            self.counts["failed"] += 1
            key = f"{status} {kind}".strip()
            self.failures[key] = self.failures.get(key, 0) + 1

    def run(self) -> None:
        while not self.stopped.wait(1.0 / self.rate):
            self.post()


class Generator:
    """One load-generator process per API for the whole soak, a measured run per round (--runs).

    Its connections and JIT stay warm from round to round: a fresh generator per round would put
    two cold JVMs on the same cores at every round boundary, and the first second of each round
    would measure their start-up (p99 154-241 ms in the first second of a round, against a median
    per-second p99 of 7-12 ms after it; the one shed traced after a ramped start came in such a
    second). The once-a-second progress lines go to `progress`.
    """

    def __init__(
        self, cli: str, api: str, target: str, rate: float, users: list[str] | str, a, progress: str
    ):
        cmd = [service.java(), *service.CLI_FLAGS, "-cp", cli, "dev.hcn.loadtest.LoadGenerator", "--api", api]
        cmd += ["--target", target, "--rate", str(rate), "--k", "100"]
        cmd += ["--duration", f"{a.round_s}s", "--runs", str(round_count(a)), "--warmup", "0s"]
        cmd += ["--ramp", f"{a.ramp_s}s"]
        cmd += ["--user-range", users] if isinstance(users, str) else ["--users", ",".join(users)]
        # Errors here mean failures, not slowness: a generous deadline.
        cmd += ["--deadline-ms", "30000", "--json"]
        self.progress = progress
        self.err = open(progress, "w")
        # No timeout: a pause of the whole machine (SIGSTOP) must not count as a failure of the service.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err, text=True)

    def next_round(self) -> dict:
        for line in self.proc.stdout:
            if line.startswith("{"):
                r = json.loads(line)
                # Latency from the intended send time, so that a stalled service shows.
                r["p50Ms"], r["p99Ms"] = r["intendedMs"]["p50"], r["intendedMs"]["p99"]
                return r
        self.err.flush()
        with open(self.progress) as f:
            tail = f.read()[-500:]
        return {"sent": 0, "ok": 0, "errors": {"generator-failed": 1}, "stderr": tail}

    def close(self) -> None:
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


def round_count(a) -> int:
    return max(1, round(a.minutes * 60 / a.round_s))


def growth(base: dict, last: dict, key: str) -> dict:
    return {
        "from_mb": round(base[key] / 1024, 1),
        "to_mb": round(last[key] / 1024, 1),
        "delta_mb": round((last[key] - base[key]) / 1024, 1),
        "percent": round(100.0 * (last[key] - base[key]) / base[key], 2),
    }


def delta(now: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in now.items() if v - before.get(k, 0)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--minutes", type=float, default=30, help="length, in whole rounds (rounded, at least one round)"
    )
    p.add_argument(
        "--rate", type=float, default=300, help="ranking requests per second, half REST, half gRPC"
    )
    p.add_argument("--round-s", type=int, default=30)
    p.add_argument(
        "--ramp-s",
        type=int,
        default=0,
        help="the first round's rate grows linearly from 0 over this many seconds (at most --round-s), as"
        " a load balancer's slow start sends traffic to a new replica (default 0: the full rate at once)",
    )
    p.add_argument(
        "--warmup-s", type=int, default=120, help="the memory baseline is the first round after it"
    )
    p.add_argument("--bundle", default=service.BUNDLE)
    service.add_port_arguments(p, 28080, 29090, 28081)
    p.add_argument(
        "--jar", help="service jar (default: the built one); a copy keeps rebuilds out of a long run"
    )
    p.add_argument("--cli", help="load generator jar (default: loadtest/target/hcn-cli.jar)")
    p.add_argument(
        "--jvm-opt",
        action="append",
        default=[],
        help="extra JVM option of the service, repeatable: --jvm-opt=-Xms512m --jvm-opt=-Xmx512m pins the heap",
    )
    p.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "hcn-soak.json"))
    g = p.add_argument_group("Redis")
    g.add_argument(
        "--redis",
        action=argparse.BooleanOptionalAction,
        default=shutil.which("redis-server") is not None,
        help="Redis history source with faults (default: on when redis-server is installed)",
    )
    g.add_argument(
        "--redis-port", type=int, default=0, help="port of the script's redis-server (0: a free one)"
    )
    g.add_argument(
        "--dataset",
        default=os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets", "ml-1m")),
        help="MovieLens 1M folder the histories are imported from (default: ../shared/datasets/ml-1m)",
    )
    g.add_argument(
        "--python",
        default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
        help="Python with the redis package that runs the importer (default: /usr/bin/python3)",
    )
    g.add_argument("--events-rate", type=float, default=2, help="POST /v1/events per second (0: none)")
    g.add_argument("--fault-every", type=int, default=2, help="rounds between faults after warm-up (0: none)")
    g.add_argument("--fault-at-s", type=float, default=8, help="seconds into the round a fault starts")
    g.add_argument("--fault-s", type=float, default=6, help="how long each fault lasts")
    a = p.parse_args(argv)
    if not 0 <= a.ramp_s <= a.round_s:
        p.error("--ramp-s must be between 0 and --round-s")

    jar = a.jar or service.built_jar()
    cli = a.cli or service.CLI
    if not jar or not os.path.exists(cli):
        raise SystemExit("build first: ./mvnw -B -q -DskipTests package (service jar and hcn-cli.jar)")
    work = tempfile.mkdtemp(prefix="hcn-soak-")
    log = os.path.join(work, "service.log")
    redis, args, imported_s = None, [], None
    proc = watcher = writer = None
    generators = []
    try:
        if a.redis:
            redis = Redis(a.redis_port or free_port(), work)
            redis.start()
            imported_s = import_ml1m(a.python, redis.port, a.dataset)
            args = ["--hcn.history.source=redis", "--spring.data.redis.host=127.0.0.1"]
            args += [f"--spring.data.redis.port={redis.port}"]
        proc = service.start(
            jar,
            log,
            a.http_port,
            a.grpc_port,
            a.management_port,
            args,
            jvm_args=["-XX:NativeMemoryTracking=summary", *a.jvm_opt],
            bundle=a.bundle,
        )
        service.wait_ready(proc, a.management_port, log)
        users = ML1M_USERS if a.redis else demo_users(a.bundle, 500)
        start = time.time()
        rounds, baseline, faults = [], None, []
        totals = {api: {"sent": 0, "ok": 0, "errors": {}} for api in ("rest", "grpc")}
        first = scrape(a.management_port)
        fallbacks_before = fallbacks_start = fallbacks(first)
        sheds_before = sheds_start = sheds(first)
        if redis:
            watcher = Watcher(a.management_port, start)
            watcher.start()
            if a.events_rate > 0:
                writer = EventWriter(a.http_port, a.events_rate)
                writer.start()
        kinds = itertools.cycle(FAULTS)
        targets = {"rest": f"http://127.0.0.1:{a.http_port}", "grpc": f"127.0.0.1:{a.grpc_port}"}
        generators += [
            Generator(cli, api, target, a.rate / 2, users, a, os.path.join(work, f"load-{api}.log"))
            for api, target in targets.items()
        ]
        with ThreadPoolExecutor(1) as pool:
            for n in range(round_count(a)):
                t0 = time.time()
                ramp = a.ramp_s if n == 0 else 0
                fault = None
                after_warmup = baseline is not None
                if redis and a.fault_every and after_warmup and n % a.fault_every == 0:
                    if a.round_s > a.fault_at_s + a.fault_s:
                        kind = next(kinds)

                        def inject(kind=kind, t0=t0):
                            time.sleep(a.fault_at_s)
                            f = redis.fault(kind, a.fault_s)
                            f["t_s"] = round(time.time() - start - f["seconds"], 1)
                            return f

                        fault = pool.submit(inject)
                results = [g.next_round() for g in generators]
                if fault:
                    faults.append(fault.result())
                text = scrape(a.management_port)
                now = fallbacks(text)
                shed_now = sheds(text)
                sample = {
                    "round": n,
                    "t_s": round(time.time() - start),
                    "wall_s": round(time.time() - t0, 1),
                    "ramp_s": ramp,
                    "rss_kb": rss_kb(proc.pid),
                    "nmt_committed_kb": nmt_committed_kb(proc.pid),
                    "fault": faults[-1]["kind"] if fault else None,
                    "fallbacks": delta(now, fallbacks_before),
                    "shed": delta(shed_now, sheds_before),
                    "breaker": breaker_state(text),
                }
                fallbacks_before = now
                sheds_before = shed_now
                for api, r in zip(("rest", "grpc"), results):
                    sample[api] = {k: r.get(k) for k in ("sent", "ok", "errors", "p50Ms", "p99Ms")}
                    totals[api]["sent"] += r.get("sent", 0)
                    totals[api]["ok"] += r.get("ok", 0)
                    for k, v in r.get("errors", {}).items():
                        totals[api]["errors"][k] = totals[api]["errors"].get(k, 0) + v
                    if "stderr" in r:
                        sample[api]["stderr"] = r["stderr"]
                sample["untracked_kb"] = sample["rss_kb"] - sample["nmt_committed_kb"]
                if writer:
                    sample["events"] = dict(writer.counts)
                rounds.append(sample)
                if baseline is None and sample["t_s"] >= a.warmup_s:
                    baseline = sample
                print(json.dumps(sample), flush=True)
                if any("stderr" in r for r in results):
                    break
        for g in generators:
            g.close()
        generators = []
        for t in (writer, watcher):
            if t:
                t.stopped.set()
                t.join(10)
        last = rounds[-1]
        base = baseline or rounds[0]
        for api in totals:
            totals[api]["failed"] = sum(totals[api]["errors"].values())
        events = dict(writer.counts, failures=writer.failures) if writer else None
        failed = sum(t["failed"] for t in totals.values()) + (events["failed"] if events else 0)
        summary = {
            "minutes": a.minutes,
            "rate": a.rate,
            "round_s": a.round_s,
            "ramp_s": a.ramp_s,
            "bundle": a.bundle,
            "history_source": "redis" if redis else "embedded",
            "sent": sum(t["sent"] for t in totals.values()),
            "ok": sum(t["ok"] for t in totals.values()),
            "failed": failed,
            # Warm-up failures (JIT, connection set-up on a loaded machine) are kept apart so that they
            # are seen, but they still fail the run.
            "failed_after_warmup": sum(
                sum(r[api]["errors"].values())
                for r in rounds
                if r["t_s"] > base["t_s"]
                for api in ("rest", "grpc")
            ),
            "per_api": totals,
            "shed": delta(sheds_before, sheds_start),
            "events": events,
            "baseline_at_s": base["t_s"],
            "rss": growth(base, last, "rss_kb"),
            "nmt_committed": growth(base, last, "nmt_committed_kb"),
            "untracked_native": growth(base, last, "untracked_kb"),
        }
        if redis:
            summary["redis"] = {
                "import_s": imported_s,
                "fault_s": a.fault_s,
                "faults": faults,
                "fallbacks": delta(fallbacks_before, fallbacks_start),
                "breaker_transitions": watcher.transitions,
            }
        summary["rounds"] = rounds
        with open(a.out, "w") as f:
            json.dump(summary, f, indent=1)
        print(json.dumps({k: v for k, v in summary.items() if k != "rounds"}, indent=1))
        ok = failed == 0 and summary["rss"]["percent"] < 5
        print(
            ("PASS" if ok else "FAIL")
            + f": {summary['sent']} requests, {failed} failed, RSS {summary['rss']}"
        )
        return 0 if ok else 1
    finally:
        for g in generators:
            g.proc.kill()
            g.close()
        if proc:
            service.stop(proc)
        if redis:
            redis.stop()
        print("service log and the load generators' progress lines:", work, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Start-to-ready time of the built service: process start until readiness reports UP.

Starts the service jar with the JVM flags that `make run` and the Dockerfile use, polls
http://127.0.0.1:<management>/actuator/health/readiness every 20 ms and records the milliseconds from
just before the process was spawned to the first UP. Every variant runs --runs times, interleaved
(a, b, a, b, ...), so that a shared, noisy machine slows all variants alike; compare variants by
their ratio within one invocation, not across invocations. Prints median, min and max per variant
and the median ratio to the first variant.

A variant is NAME=SPEC. SPEC is split like a shell line: words before a lone "--" are JVM options
(a "-jar PATH" among them replaces the jar), words after it are application arguments.

    # the committed ml-1m bundle: the packaged jar against the extracted one with its AOT cache
    python3 deploy/checks/startup.py --runs 5 \\
      --variant 'jar=' \\
      --variant 'aot=-XX:AOTCache=ranking-service/target/app/app.aot -jar ranking-service/target/app/app.jar'

    # write an AOT cache (JDK 25, JEP 483/514/515) with one training run of the extracted jar
    python3 deploy/checks/startup.py --train ranking-service/target/app/app.aot \\
      --jar ranking-service/target/app/app.jar

Build first: ./mvnw -B -q -DskipTests package (and `make app` for the extracted jar and its cache).
Ports are picked free for every start; --bundle chooses the bundle (default: the committed one).
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The service's JVM options, as `make run` and the Dockerfile's ENTRYPOINT pass them.
JVM_FLAGS = ["@" + os.path.join(ROOT, "deploy/jvm.options")]
POLL_S = 0.02


def java() -> str:
    home = os.environ.get("JAVA_HOME") or (sorted(glob.glob("/usr/lib/jvm/temurin-25-jdk*")) or [""])[0]
    return os.path.join(home, "bin", "java") if home else "java"


def default_jar() -> str:
    jars = sorted(glob.glob(os.path.join(ROOT, "ranking-service", "target", "ranking-service-*.jar")))
    jars = [j for j in jars if not j.endswith(("-sources.jar", ".original"))]
    if not jars:
        sys.exit("no ranking-service jar: run ./mvnw -B -q -DskipTests package first")
    return jars[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_variant(text: str, jar: str) -> tuple[str, list[str], str, list[str]]:
    name, _, spec = text.partition("=")
    words = shlex.split(spec)
    jvm, app = (words[: words.index("--")], words[words.index("--") + 1 :]) if "--" in words else (words, [])
    if "-jar" in jvm:
        i = jvm.index("-jar")
        jar = jvm[i + 1]
        del jvm[i : i + 2]
    return name, jvm, os.path.abspath(jar), app


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/actuator/health/readiness", timeout=1) as r:
            return r.status == 200 and b'"UP"' in r.read()
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def start(
    jvm: list[str], jar: str, app: list[str], bundle: str, log
) -> tuple[subprocess.Popen, int, int, float]:
    http, grpc, management = free_port(), free_port(), free_port()
    command = [java(), *JVM_FLAGS, *jvm, "-jar", jar]
    command += [
        f"--server.port={http}",
        f"--spring.grpc.server.port={grpc}",
        f"--management.server.port={management}",
        f"--hcn.model.bundle-path={bundle}",
        *app,
    ]
    t0 = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return proc, management, http, t0


def cpu_ms(pid: int) -> float:
    """User plus system CPU time of the process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def time_to_ready(proc: subprocess.Popen, management: int, t0: float, limit_s: float) -> tuple[float, float]:
    """Wall milliseconds from spawn to the first UP, and the CPU milliseconds the process used by then."""
    while time.monotonic() - t0 < limit_s:
        if proc.poll() is not None:
            raise RuntimeError(f"the service exited with {proc.returncode} before it was ready")
        if ready(management):
            return (time.monotonic() - t0) * 1000, cpu_ms(proc.pid)
        time.sleep(POLL_S)
    raise RuntimeError(f"not ready within {limit_s} s")


def stop(proc: subprocess.Popen, graceful: bool = False) -> None:
    """SIGKILL after a timed start (nothing to keep); SIGTERM after a training run, whose JVM writes
    the cache as it exits."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_once(jvm, jar, app, bundle, limit_s, keep_log) -> tuple[float, float]:
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        proc, management, _, t0 = start(jvm, jar, app, bundle, log)
        try:
            timing = time_to_ready(proc, management, t0, limit_s)
        except RuntimeError as e:
            stop(proc)
            log.seek(0)
            sys.stderr.write(log.read()[-4000:])
            raise SystemExit(f"{' '.join(jvm)} -jar {jar}: {e} (log {log.name})")
        stop(proc)
    if not keep_log:
        os.unlink(log.name)
    return timing


def train(out: str, jar: str, jvm: list[str], app: list[str], bundle: str, limit_s: float) -> None:
    """One start with -XX:AOTCacheOutput: up to ready (the model loaded and warmed), then SIGTERM; the
    JVM writes the cache as it exits."""
    out = os.path.abspath(out)
    if os.path.exists(out):
        os.unlink(out)
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        # No readiness drain on the way out: nobody is sending requests.
        app = [*app, "--hcn.drain.readiness-delay=0s"]
        proc, management, http, t0 = start([f"-XX:AOTCacheOutput={out}", *jvm], jar, app, bundle, log)
        ms, _ = time_to_ready(proc, management, t0, limit_s)
        # One real answer, so the request path's classes are in the cache as well.
        with urllib.request.urlopen(f"http://127.0.0.1:{http}/v1/model", timeout=10) as r:
            r.read()
        stop(proc, graceful=True)
    if proc.returncode not in (0, 143) or not os.path.exists(out):
        raise SystemExit(f"training run failed (exit {proc.returncode}); log {log.name}")
    os.unlink(log.name)
    print(f"training run ready after {ms:.0f} ms; wrote {out} ({os.path.getsize(out) / 1e6:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jar", default=None, help="service jar (default: ranking-service/target/*.jar)")
    parser.add_argument("--bundle", default="model-artifacts/bundles/hcn-ml1m", help="bundle folder")
    parser.add_argument("--variant", action="append", default=[], help="NAME=JVM OPTIONS [-- APP ARGS]")
    parser.add_argument("--runs", type=int, default=5, help="starts per variant")
    parser.add_argument("--limit-s", type=float, default=120, help="give up on a start after this")
    parser.add_argument("--train", metavar="AOT", help="write an AOT cache with one training run")
    parser.add_argument("--keep-logs", action="store_true", help="keep each start's log file")
    args = parser.parse_args()
    jar = args.jar or default_jar()
    bundle = os.path.abspath(os.path.join(ROOT, args.bundle))

    if args.train:
        _, jvm, jar, app = parse_variant(
            "train=" + (args.variant[0].partition("=")[2] if args.variant else ""), jar
        )
        train(args.train, jar, jvm, app, bundle, args.limit_s)
        return

    variants = [parse_variant(v, jar) for v in (args.variant or ["jar="])]
    print(f"bundle {args.bundle}; load before: {os.getloadavg()[0]:.2f}; {args.runs} runs per variant")
    wall: dict[str, list[float]] = {v[0]: [] for v in variants}
    cpu: dict[str, list[float]] = {v[0]: [] for v in variants}
    for i in range(args.runs):
        for name, jvm, vjar, app in variants:
            ms, used = run_once(jvm, vjar, app, bundle, args.limit_s, args.keep_logs)
            wall[name].append(ms)
            cpu[name].append(used)
            print(f"  run {i + 1} {name}: {ms:.0f} ms, {used:.0f} ms CPU", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    first = statistics.median(wall[variants[0][0]])
    first_cpu = statistics.median(cpu[variants[0][0]])
    print(f"{'variant':<16} {'median':>7} {'min':>7} {'max':>7} {'ratio':>6}   {'CPU':>7} {'ratio':>6}")
    for name, values in wall.items():
        median, used = statistics.median(values), statistics.median(cpu[name])
        print(
            f"{name:<16} {median:7.0f} {min(values):7.0f} {max(values):7.0f} {median / first:6.2f}"
            f"   {used:7.0f} {used / first_cpu:6.2f}"
        )
    print("(milliseconds from spawn to readiness UP; CPU: user + system time of the process by then)")


if __name__ == "__main__":
    main()

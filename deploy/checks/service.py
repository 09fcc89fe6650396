"""Starts the built ranking-service jar for the checks in this folder and waits for it to be ready.

Shared by observability.py and soak.py, so that both run the service the same way (Java 25, the
vector module, native access) and stop it the same way.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The service's JVM options, as `make run` and the Dockerfile pass them.
JVM_FLAGS = ["@" + os.path.join(ROOT, "deploy/jvm.options")]
BUNDLE = os.path.join(ROOT, "model-artifacts/bundles/hcn-ml1m")
CLI = os.path.join(ROOT, "loadtest/target/hcn-cli.jar")
# The load generator's JVM options (C1 only, Serial GC), as the README's load commands pass them.
CLI_FLAGS = ["@" + os.path.join(ROOT, "loadtest/jvm.options")]


def java_home() -> str:
    """JAVA_HOME, else the installed Temurin 25 (the default java may be older)."""
    return os.environ.get("JAVA_HOME") or (sorted(glob.glob("/usr/lib/jvm/temurin-25-jdk*")) or [""])[0]


def java(tool: str = "java") -> str:
    home = java_home()
    return os.path.join(home, "bin", tool) if home else tool


def add_port_arguments(parser, http: int, grpc: int, management: int) -> None:
    """--http-port, --grpc-port and --management-port with a check's defaults (checks that may run
    side by side use different ones)."""
    parser.add_argument("--http-port", type=int, default=http)
    parser.add_argument("--grpc-port", type=int, default=grpc)
    parser.add_argument("--management-port", type=int, default=management)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def built_jar() -> str | None:
    """The executable service jar of the last package build (not the -plain one)."""
    jars = [j for j in glob.glob(f"{ROOT}/ranking-service/target/ranking-service-*.jar") if "plain" not in j]
    return jars[0] if jars else None


def start(
    jar: str,
    log_path: str,
    http: int,
    grpc: int,
    management: int,
    args: list[str] = (),
    jvm_args: list[str] = (),
    bundle: str = BUNDLE,
) -> subprocess.Popen:
    """The service on the given ports, in its own process group, output to log_path."""
    return subprocess.Popen(
        [java(), *JVM_FLAGS, *jvm_args, "-jar", jar]
        + [f"--server.port={http}", f"--spring.grpc.server.port={grpc}"]
        + [f"--management.server.port={management}", f"--hcn.model.bundle-path={bundle}", *args],
        stdout=open(log_path, "w"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )


def ready(management: int) -> bool:
    try:
        url = f"http://127.0.0.1:{management}/actuator/health/readiness"
        # Status UP, not HTTP 200: Boot answers 200 for UNKNOWN too (the model still warming up).
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.loads(r.read()).get("status") == "UP"
    except (OSError, ValueError):
        return False


def wait_ready(proc: subprocess.Popen, management: int, log_path: str, seconds: float = 180) -> None:
    """Returns once readiness is UP; exits with the log's name if the service dies or takes too long."""
    deadline = time.time() + seconds
    while not ready(management):
        if proc.poll() is not None:
            raise SystemExit(f"service exited with {proc.returncode}; see {log_path}")
        if time.time() > deadline:
            raise SystemExit(f"service not ready after {seconds:.0f} s; see {log_path}")
        time.sleep(0.5)


def stop(proc: subprocess.Popen, seconds: float = 60) -> None:
    """SIGTERM to the process group (graceful shutdown), SIGKILL if it does not end in time."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(seconds)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_load(args: list[str]) -> dict:
    """One load generator run (LoadGenerator with args, --json --quiet); its JSON report."""
    cmd = [java(), *CLI_FLAGS, "-cp", CLI, "dev.hcn.loadtest.LoadGenerator", *args, "--json", "--quiet"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"load generator failed ({out.returncode}): {out.stderr[-800:]}")
    return json.loads(lines[-1])

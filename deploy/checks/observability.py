#!/usr/bin/env python3
"""End-to-end check of the monitoring set-up against real components.

Starts the built service jar and a real Prometheus (deploy/prometheus config and alert rules, with the
target rewritten to the service's management port on loopback), sends REST and gRPC traffic, then checks that:
  * Prometheus scrapes the service (up == 1) and loads every alert rule without errors;
  * every metric that a Grafana panel or an alert rule uses exists in Prometheus;
  * every Grafana panel query evaluates and returns data;
  * every alert rule's query, without its threshold, returns data (its metrics exist with the labels
    it selects, e.g. outcome="internal", the shed counter);
  * a ranking request refused before the service (malformed body) is counted too.
Exits non-zero with the list of problems otherwise. Usage: deploy/checks/observability.py (repo root).
The five ports (http, management, grpc, prometheus, redis) are free ones picked at start;
HCN_OBS_PORTS=http,management,grpc,prometheus,redis fixes them, and a fixed port already taken stops
the check at once (it would otherwise scrape whatever service holds it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import service

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_ports(count: int) -> list[int]:
    """Ports the kernel hands out as free now (held together, so they are distinct)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


HTTP, MANAGEMENT, GRPC, PROM, REDIS = (
    [int(p) for p in os.environ["HCN_OBS_PORTS"].split(",")]
    if "HCN_OBS_PORTS" in os.environ
    else free_ports(5)
)
METRIC = re.compile(r"\b((?:hcn|cache|jvm|process|http_server|grpc_server|resilience4j)_[a-z_]+)")


def get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def post_json(url: str, body: dict):
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_for(what: str, check, seconds: float) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if check():
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(1)
    raise SystemExit(f"timed out waiting for {what}")


def prom_query(expr: str):
    q = urllib.parse.urlencode({"query": expr})
    return get(f"http://127.0.0.1:{PROM}/api/v1/query?{q}")


def taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    busy = [p for p in (HTTP, MANAGEMENT, GRPC, PROM, REDIS) if taken(p)]
    if busy:
        raise SystemExit(
            f"ports already in use: {busy}; set HCN_OBS_PORTS=http,management,grpc,prometheus,redis"
        )
    jars = [j for j in [service.built_jar()] if j]
    cli = service.CLI
    if not jars or not os.path.exists(cli):
        raise SystemExit("build first: ./mvnw -B -q -DskipTests package (service jar and hcn-cli.jar)")
    java = service.java()
    work = tempfile.mkdtemp(prefix="hcn-obs-")
    procs: list[subprocess.Popen] = []
    try:
        # A real Redis behind the service, so that the history cache and the store's breaker report.
        procs.append(
            subprocess.Popen(
                ["redis-server", "--port", str(REDIS), "--bind", "127.0.0.1", "--dir", work, "--save", ""],
                stdout=open(os.path.join(work, "redis.log"), "w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        # Up before the service, whose store breaker would otherwise open on the first writes.
        wait_for("redis", lambda: taken(REDIS), 30)
        service_log = os.path.join(work, "service.log")
        procs.append(
            service.start(
                jars[0],
                service_log,
                HTTP,
                GRPC,
                MANAGEMENT,
                [
                    "--hcn.history.source=redis",
                    "--spring.data.redis.host=127.0.0.1",
                    f"--spring.data.redis.port={REDIS}",
                ],
            )
        )
        service.wait_ready(procs[-1], MANAGEMENT, service_log, 180)

        config = open(f"{ROOT}/deploy/prometheus/prometheus.yml").read()
        config = config.replace("ranking:8081", f"127.0.0.1:{MANAGEMENT}").replace(
            "scrape_interval: 5s", "scrape_interval: 1s"
        )
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write(config)
        shutil.copy(f"{ROOT}/deploy/prometheus/alerts.yml", work)
        procs.append(
            subprocess.Popen(
                [
                    "prometheus",
                    f"--config.file={work}/prometheus.yml",
                    f"--storage.tsdb.path={work}/tsdb",
                    f"--web.listen-address=127.0.0.1:{PROM}",
                ],
                stdout=open(os.path.join(work, "prometheus.log"), "w"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        wait_for(
            "prometheus",
            lambda: get(f"http://127.0.0.1:{PROM}/api/v1/status/buildinfo"),
            60,
        )

        # Histories for the users the traffic asks for, through the events API.
        events = [
            {"userId": u, "itemId": i, "timestamp": 1_700_000_000 + n}
            for u in ("42", "7")
            for n, i in enumerate([1193, 661, 914, 3408, 2355])
        ]
        wait_for(
            "the events API (202)",
            lambda: post_json(f"http://127.0.0.1:{HTTP}/v1/events", {"events": events}) == 202,
            30,
        )

        # Traffic over both APIs, including an error, spread over a few scrapes so rates exist.
        for i in range(12):
            assert post_json(f"http://127.0.0.1:{HTTP}/v1/rank", {"userId": "42", "k": 10}) == 200
            assert (
                post_json(
                    f"http://127.0.0.1:{HTTP}/v1/rank",
                    {"userId": "7", "k": 5, "candidates": [1193, 661, 914]},
                )
                == 200
            )
            assert post_json(f"http://127.0.0.1:{HTTP}/v1/rank", {"userId": "42", "k": 0}) == 400
            malformed = urllib.request.Request(
                f"http://127.0.0.1:{HTTP}/v1/rank", b'{"userId": ', {"Content-Type": "application/json"}
            )
            try:
                urllib.request.urlopen(malformed, timeout=10)
            except urllib.error.HTTPError as e:
                assert e.code == 400, e.code
            if i == 0:
                # A declared body over the limit (8 MB), refused before routing and before it is
                # read: counted in hcn_http_refused_total.
                oversized = urllib.request.Request(
                    f"http://127.0.0.1:{HTTP}/v1/rank",
                    b"{}",
                    {"Content-Type": "application/json", "Content-Length": str(64 * 1024 * 1024)},
                )
                try:
                    urllib.request.urlopen(oversized, timeout=10)
                except urllib.error.HTTPError as e:
                    assert e.code == 413, e.code
            if i % 4 == 0:
                subprocess.run(
                    [java, "-jar", cli, "rank", "--target", f"localhost:{GRPC}", "--user", "42", "--k", "5"],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            time.sleep(0.5)

        wait_for(
            "a scrape of the service",
            lambda: prom_query('up{job="hcn-ranking"}')["data"]["result"][0]["value"][1] == "1",
            60,
        )
        time.sleep(4)  # a few more scrapes so that rate() over 1m has two samples

        problems: list[str] = []
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{HTTP}/actuator/prometheus", timeout=5)
            problems.append(
                "the API port serves /actuator/prometheus; it belongs on the management port only"
            )
        except urllib.error.HTTPError as e:
            if e.code != 404:
                problems.append(f"the API port answered /actuator/prometheus with {e.code}, expected 404")
        rules = get(f"http://127.0.0.1:{PROM}/api/v1/rules")["data"]["groups"]
        loaded = [r for g in rules for r in g["rules"]]
        for r in loaded:
            if r.get("health") not in ("ok", "unknown"):
                problems.append(f"alert rule {r['name']}: {r.get('health')} {r.get('lastError', '')}")
        expected_rules = len(
            re.findall(r"^\s*- alert:", open(f"{ROOT}/deploy/prometheus/alerts.yml").read(), re.M)
        )
        if len(loaded) != expected_rules:
            problems.append(f"prometheus loaded {len(loaded)} alert rules, alerts.yml has {expected_rules}")

        dashboard = json.load(open(f"{ROOT}/deploy/grafana/dashboards/hcn-ranking.json"))
        panel_exprs = [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]
        rule_exprs = [(f"alert {r['name']}", r["query"]) for r in loaded]
        names = sorted({m for _, e in panel_exprs + rule_exprs for m in METRIC.findall(e)})
        for name in names:
            base = re.sub(r"_(bucket|count|sum|max|total)$", "", name)
            found = prom_query(f'count({{__name__=~"{base}(_bucket|_count|_sum|_max|_total)?"}})')["data"][
                "result"
            ]
            if not found:
                problems.append(f"metric {name} is used but never scraped")
        for title, expr in panel_exprs:
            res = prom_query(expr.replace("[1m]", "[30s]"))
            if res["status"] != "success":
                problems.append(f"panel {title!r}: query failed: {expr}")
            elif not res["data"]["result"] and "fallbacks" not in expr:
                # Fallbacks only appear when the history store fails; every other panel must show data.
                problems.append(f"panel {title!r}: no data for {expr}")
        threshold = re.compile(r"\s*(==|!=|>=|<=|>|<)\s*[-+0-9.e]+\s*$")
        for r in loaded:
            bare = threshold.sub("", r["query"]).replace("[5m]", "[30s]")
            res = prom_query(bare)
            if res["status"] != "success" or not res["data"]["result"]:
                problems.append(f"alert {r['name']}: no data for {bare}")
        early = prom_query('hcn_rank_requests_seconds_count{api="rest",outcome="malformed-body"}')
        if not early["data"]["result"] or float(early["data"]["result"][0]["value"][1]) < 1:
            problems.append("a malformed ranking request was not counted (outcome malformed-body)")
        too_large = prom_query('hcn_http_refused_total{server="api",type="payload-too-large"}')
        if not too_large["data"]["result"] or float(too_large["data"]["result"][0]["value"][1]) < 1:
            problems.append("a body over the limit was not counted (hcn_http_refused_total)")
        print(
            f"checked {len(names)} metric names, {len(panel_exprs)} panel queries, {len(loaded)} alert rules"
        )
        for p in problems:
            print("PROBLEM:", p)
        print(f"{len(panel_exprs) + len(names) - len(problems)} passed, {len(problems)} failed")
        return 1 if problems else 0
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

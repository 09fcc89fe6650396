#!/usr/bin/env python3
"""Fails the build unless the Redis tests really ran: every test of the Redis contract, against the
single server and against the 3-master Cluster, executed with none skipped. They never skip
themselves (no Docker engine and no redis-server is a failure), but a filtered or disabled run must
not pass for a green one either. Usage: deploy/checks/redis_tests_ran.py (repo root, after verify).
"""

from __future__ import annotations

import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REPORTS = os.path.join(ROOT, "ranking-service", "target", "surefire-reports")
CONTRACT = os.path.join(
    ROOT, "ranking-service", "src", "test", "java", "dev", "hcn", "redis", "RedisContract.java"
)
SUITES = ("dev.hcn.redis.StandaloneRedisTest", "dev.hcn.redis.RedisClusterTest")


def main() -> int:
    expected = len(re.findall(r"^\s*@Test\b", open(CONTRACT).read(), re.M))
    problems = []
    for suite in SUITES:
        path = os.path.join(REPORTS, f"TEST-{suite}.xml")
        if not os.path.exists(path):
            problems.append(f"{suite} did not run (no {os.path.relpath(path, ROOT)})")
            continue
        root = ET.parse(path).getroot()
        tests, skipped = int(root.get("tests", 0)), int(root.get("skipped", 0))
        failed = int(root.get("failures", 0)) + int(root.get("errors", 0))
        if tests < expected or skipped or failed:
            problems.append(f"{suite}: {tests} run of {expected}, {skipped} skipped, {failed} failed")
    for p in problems:
        print("PROBLEM:", p)
    if not problems:
        print(f"Redis tests ran: {expected} scenarios x {len(SUITES)} (single server, Cluster)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

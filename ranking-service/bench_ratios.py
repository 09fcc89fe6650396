"""Prints vector/floor and scalar/vector ratios from ScoringBenchmark's JMH JSON output."""

import json
import sys
from collections import defaultdict


def main(path: str) -> None:
    with open(path) as f:
        runs = json.load(f)
    by_shape = defaultdict(dict)
    for run in runs:
        name = run["benchmark"].rsplit(".", 1)[1]
        params = run.get("params", {})
        key = " ".join(f"{name}={value}" for name, value in sorted(params.items()))
        metric = run["primaryMetric"]
        by_shape[key][name] = (metric["score"], metric["scoreError"], metric["scoreUnit"])
    for key, m in by_shape.items():
        print(key)
        for name, (score, err, unit) in sorted(m.items()):
            err_text = f"{err:8.1f}" if isinstance(err, (int, float)) else str(err)
            print(f"  {name:16s} {score:12.1f} ± {err_text} {unit}")
        if "vectorTopK" in m and "memoryFloor" in m:
            print(f"  vectorTopK / memoryFloor = {m['vectorTopK'][0] / m['memoryFloor'][0]:.2f}")
        if "vectorAllScores" in m and "memoryFloor" in m:
            print(
                f"  vectorAllScores / memoryFloor = " f"{m['vectorAllScores'][0] / m['memoryFloor'][0]:.2f}"
            )
        if "scalarTopK" in m and "vectorTopK" in m:
            print(f"  scalarTopK / vectorTopK = {m['scalarTopK'][0] / m['vectorTopK'][0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "ranking-service/target/jmh/result.json")

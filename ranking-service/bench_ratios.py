"""Prints ScoringBenchmark's ratios from its JMH JSON output (one run, so they compare like with like).

kernel / floor: vectorTopK against max(memoryFloor, computeFloor), the target being <= 1.5;
broadcastFloor / computeFloor: what the candidate-list loop's broadcasts cost on this CPU (its FMA count
is the staged kernel's, padding included), and vectorTopK / broadcastFloor what the rest of the kernel adds;
onnxTopK / vectorTopK: how much faster the Java kernel is than the same work as an ONNX Runtime graph;
int8TopK / vectorTopK: what the int8 prefilter with fp32 rescoring costs or saves (below 1 = faster);
stagedTopK / vectorTopK: what the whole-catalogue lane blocks buy (1 for candidate lists, which never use them);
scalarTopK / vectorTopK: what the Vector API buys over the scalar twin.

TowerBenchmark (with --pytorch FILE, the medians hcn.bench_tower wrote for the same bundle):
PyTorch eager / ONNX Runtime per session variant, PyTorch taking its fastest form and kernel.
"""

import argparse
import json
from collections import defaultdict


def ratios(m: dict) -> list[str]:
    out = []
    score = {name: value[0] for name, value in m.items()}
    if "vectorTopK" in score and "memoryFloor" in score and "computeFloor" in score:
        floor = max(score["memoryFloor"], score["computeFloor"])
        bound = "memory" if score["memoryFloor"] >= score["computeFloor"] else "compute"
        out.append(
            f"vectorTopK / max(memoryFloor, computeFloor) = {score['vectorTopK'] / floor:.2f} ({bound}-bound)"
        )
        out.append(f"vectorTopK / memoryFloor = {score['vectorTopK'] / score['memoryFloor']:.2f}")
        out.append(f"vectorTopK / computeFloor = {score['vectorTopK'] / score['computeFloor']:.2f}")
    if "broadcastFloor" in score and "computeFloor" in score:
        out.append(f"broadcastFloor / computeFloor = {score['broadcastFloor'] / score['computeFloor']:.2f}")
    if "broadcastFloor" in score and "vectorTopK" in score:
        out.append(f"vectorTopK / broadcastFloor = {score['vectorTopK'] / score['broadcastFloor']:.2f}")
    if "vectorAllScores" in score and "vectorTopK" in score:
        out.append(f"vectorAllScores / vectorTopK = {score['vectorAllScores'] / score['vectorTopK']:.2f}")
    if "onnxTopK" in score and "vectorTopK" in score:
        out.append(f"onnxTopK / vectorTopK = {score['onnxTopK'] / score['vectorTopK']:.2f}")
    if "int8TopK" in score and "vectorTopK" in score:
        out.append(f"int8TopK / vectorTopK = {score['int8TopK'] / score['vectorTopK']:.2f}")
    if "stagedTopK" in score and "vectorTopK" in score:
        out.append(f"stagedTopK / vectorTopK = {score['stagedTopK'] / score['vectorTopK']:.2f}")
    if "scalarTopK" in score and "vectorTopK" in score:
        out.append(f"scalarTopK / vectorTopK = {score['scalarTopK'] / score['vectorTopK']:.1f}")
    return out


def tower_ratios(m: dict, pytorch: dict) -> list[str]:
    if "reused" not in m:
        return []
    name, seconds = min(pytorch.items(), key=lambda kv: kv[1])
    us = seconds * 1e6
    return [f"PyTorch eager ({name}, {us:.0f} us) / ONNX Runtime reused = {us / m['reused'][0]:.2f}"]


def main(path: str, pytorch_path: str | None = None) -> None:
    pytorch = None
    if pytorch_path:
        with open(pytorch_path) as f:
            pytorch = json.load(f)
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
        for line in ratios(m) + (tower_ratios(m, pytorch) if pytorch else []):
            print(f"  {line}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("result", nargs="?", default="ranking-service/target/jmh/result.json")
    parser.add_argument("--pytorch", help="hcn.bench_tower's --json output for the same bundle")
    args = parser.parse_args()
    main(args.result, args.pytorch)

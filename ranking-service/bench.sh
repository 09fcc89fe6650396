#!/usr/bin/env bash
# Runs the scoring benchmark (JMH, single thread) and prints the kernel against both floors (memory,
# compute), against the same work as an ONNX Runtime graph, and against the scalar twin.
# Usage: [HCN_VECTOR_BITS=256] ranking-service/bench.sh [ScoringBenchmark | TowerBenchmark] [JMH options]
# TowerBenchmark times the bundle in HCN_BENCH_BUNDLE (default model-artifacts/bundles/synthetic-200k)
# in ONNX Runtime, then the same bundle's configuration in PyTorch eager (hcn.bench_tower, batch 1,
# 1 thread), and prints PyTorch / ONNX Runtime per session variant.
# Without options it runs short iterations (-wi 5 -w 1 -i 5 -r 1 -f 1) so that it takes a few
# minutes; any options given replace those defaults, e.g. bench.sh -wi 5 -i 10 -f 2 -p shape=10000:48:8
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk* 2>/dev/null | head -1)}"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
OUT=ranking-service/target/jmh
mkdir -p "$OUT"

./mvnw -B -q -pl ranking-service test-compile dependency:build-classpath \
  -Dmdep.outputFile="$PWD/$OUT/classpath.txt" -Dmdep.includeScope=test
PYTHON="${PYTHON:-python3}"
"$PYTHON" ranking-service/scoring_graph.py "$OUT/scoring.onnx"
CP="ranking-service/target/test-classes:ranking-service/target/classes:$(cat "$OUT/classpath.txt")"

# HCN_VECTOR_BITS=256 (or 128) narrows the kernel's vectors (VectorScoringKernel's width property).
WIDTH=()
if [ -n "${HCN_VECTOR_BITS:-}" ]; then WIDTH=(-Dhcn.scoring.vector-bits="$HCN_VECTOR_BITS"); fi
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), kernel species: $(
  "$JAVA" --add-modules jdk.incubator.vector "${WIDTH[@]}" -cp "$CP" \
    dev.hcn.scoring.PreferredSpecies 2>/dev/null)"
# The first argument may name the benchmark: ScoringBenchmark (default) or TowerBenchmark.
BENCH=ScoringBenchmark
case "${1:-}" in ScoringBenchmark | TowerBenchmark) BENCH=$1; shift ;; esac
if [ $# -eq 0 ]; then set -- -wi 5 -w 1 -i 5 -r 1 -f 1; fi
# Only the tower benchmark reads a bundle; the scoring benchmark's inputs are generated.
if [ "$BENCH" = TowerBenchmark ]; then
  export HCN_BENCH_BUNDLE="${HCN_BENCH_BUNDLE:-model-artifacts/bundles/synthetic-200k}"
fi
if [ ${#WIDTH[@]} -gt 0 ]; then set -- -jvmArgsPrepend "${WIDTH[0]}" "$@"; fi
"$JAVA" --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "$BENCH" \
  -t 1 -rf json -rff "$OUT/result.json" "$@"

RATIOS=("$OUT/result.json")
if [ "$BENCH" = TowerBenchmark ]; then
  OPENBLAS_NUM_THREADS=1 PYTHONPATH=model-artifacts "$PYTHON" -m hcn.bench_tower \
    --bundle "$HCN_BENCH_BUNDLE" --threads 1 --form bundle --json "$OUT/pytorch_tower.json"
  RATIOS+=(--pytorch "$OUT/pytorch_tower.json")
fi
"$PYTHON" ranking-service/bench_ratios.py "${RATIOS[@]}"

#!/usr/bin/env bash
# Runs the scoring benchmark (JMH, single thread) and prints vector/floor and scalar/vector ratios.
# Usage: ranking-service/bench.sh [JMH options]
# Without options it runs short iterations (-wi 3 -w 1 -i 5 -r 1 -f 1) so that it takes a few
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
if [ $# -eq 0 ]; then set -- -wi 3 -w 1 -i 5 -r 1 -f 1; fi
CP="ranking-service/target/test-classes:ranking-service/target/classes:$(cat "$OUT/classpath.txt")"

"$JAVA" --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main ScoringBenchmark \
  -t 1 -rf json -rff "$OUT/result.json" "$@"

python3 ranking-service/bench_ratios.py "$OUT/result.json"

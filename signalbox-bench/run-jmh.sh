#!/usr/bin/env bash
# The routing micro-benchmarks (JMH), pinned to core 0:
#   RoutingBenchmark  parse a 2 KB chat request, and decide a plan for it on each route policy
#   DecisionBenchmark decisions on precomputed signals, single-threaded (policy alone, and the router)
# The first argument, when it is not an option, names the benchmark (default RoutingBenchmark); the
# rest go to JMH (e.g. -f 1 -wi 3 -i 5).
#
#   bash signalbox-bench/run-jmh.sh
#   bash signalbox-bench/run-jmh.sh DecisionBenchmark -rf json -rff bench-results/jmh-decisions.json
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
benchmark=RoutingBenchmark
if [[ $# -gt 0 && $1 != -* ]]; then
  benchmark=$1
  shift
fi
source build/find-java.sh
java="$(find_java)"
mvn -B -q -Pbench -pl signalbox-bench -am -DskipTests -Dformat.skip=true package
# The vector module: the kNN search's int8 bounds (NearestNeighboursBenchmark), as the launcher gives a learned route.
taskset -c 0 "$java" --add-modules=jdk.incubator.vector -cp "signalbox-bench/target/signalbox-bench-0.1.0-SNAPSHOT.jar:signalbox-bench/target/lib/*" \
  org.openjdk.jmh.Main "$benchmark" "$@"

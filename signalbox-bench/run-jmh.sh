#!/usr/bin/env bash
# The routing micro-benchmark (JMH): parse a 2 KB chat request, and decide a plan for it on each route
# policy. Pinned to core 0; extra arguments go to JMH (e.g. -f 1 -wi 3 -i 5).
#
#   bash signalbox-bench/run-jmh.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java="$(bash -c 'source <(sed -n "/^java_version()/,/^}/p;/^find_java()/,/^}/p" ./signalbox); find_java')"
mvn -B -q -Pbench -pl signalbox-bench -am -DskipTests package
taskset -c 0 "$java" -cp "signalbox-bench/target/signalbox-bench-0.1.0-SNAPSHOT.jar:signalbox-bench/target/lib/*" \
  org.openjdk.jmh.Main RoutingBenchmark "$@"

# Sourced by the launchers (./signalbox in a checkout, bin/signalbox in the distribution):
# run_signalbox CLASSPATH ARGS... runs the CLI on a JDK of at least 21 with the default JVM flags.
# Expects find_java (build/find-java.sh) to be defined.

run_signalbox() {
  local classpath="$1"
  shift
  java="$(find_java)" || exit 1
  # Default JVM flags: a small heap and the serial collector keep the gateway's memory well under
  # 256 MB; the heap is committed and touched at start, so the process's memory does not creep up as
  # the heap grows to its ceiling under load. SIGNALBOX_JAVA_OPTS adds to them or overrides them.
  default_opts=(-Xms144m -Xmx144m -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -Xss512k
    --enable-native-access=ALL-UNNAMED -Djava.util.logging.SimpleFormatter.format='%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n')
  # Offline commands hold whole data sets (MMLU's embeddings, a kNN artifact being written): a larger
  # heap, committed only as it is used. The gateway keeps the small one (and --print-jvm-flags prints its flags).
  if [ "${1:-}" != "serve" ] && [ "${1:-}" != "--print-jvm-flags" ]; then
    default_opts=(-Xmx1g -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED
      -Djava.util.logging.SimpleFormatter.format='%1$tFT%1$tT %4$s %3$s: %5$s%6$s%n')
  fi
  if [ "${1:-}" = "--print-jvm-flags" ]; then
    echo "${default_opts[@]} ${SIGNALBOX_JAVA_OPTS:-}"
    return 0
  fi
  # Fewer glibc malloc arenas: the JVM allocates little natively, and each arena costs resident memory.
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  # Each client connection may hold an upstream one too: allow as many descriptors as the system lets us.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # shellcheck disable=SC2086
  exec "$java" "${default_opts[@]}" ${SIGNALBOX_JAVA_OPTS:-} -cp "$classpath" dev.signalbox.cli.Main "$@"
}

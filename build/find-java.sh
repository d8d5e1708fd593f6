# Sourced by the launcher and the build scripts: find_java prints a java binary of version 21 or
# newer (JAVA_HOME if it is one, then java on PATH, then the newest in the usual JDK folders), or
# fails saying where it looked. `java` on PATH may be older than the JDK the project needs.

java_version() { # prints the major version of the java binary $1, or 0
  # A JDK's release file says it without starting a JVM (which costs the launcher a few hundred
  # ms), read with the shell's own builtins: a start looks at every JDK on the machine, and the
  # tools this took before (dirname, grep, sed) cost about 35 ms a JDK on one core.
  local binary="$1" release key value
  # Only a link needs resolving (java on PATH usually is one; a JDK's own bin/java is not), and
  # readlink is a process: one fewer a JDK on the machine.
  [ -L "$1" ] && binary="$(readlink -f "$1" 2>/dev/null || echo "$1")"
  release="${binary%/*/*}/release"
  if [ -f "$release" ]; then
    while IFS='=' read -r key value; do
      if [ "$key" = JAVA_VERSION ]; then
        value="${value#\"}"
        echo "${value%%[!0-9]*}"
        return
      fi
    done < "$release"
  fi
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1 || echo 0
}

find_java() {
  local candidate version
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && [ "$(java_version "$candidate")" -ge 21 ] 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  local best="" best_version=0 dir
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$dir/bin/java" ] || continue
    version="$(java_version "$dir/bin/java")"
    if [ "${version:-0}" -ge 21 ] 2>/dev/null && [ "$version" -gt "$best_version" ]; then
      best="$dir/bin/java"; best_version="$version"
    fi
  done
  [ -n "$best" ] || { echo "signalbox: no JDK 21 or newer found (looked at JAVA_HOME, PATH and the JDK install folders)" >&2; return 1; }
  echo "$best"
}

# Sourced by the launcher and the build scripts: find_java prints a java binary of version 21 or
# newer (JAVA_HOME if it is one, then java on PATH, then the newest in the usual JDK folders), or
# fails saying where it looked. `java` on PATH may be older than the JDK the project needs.

java_version() { # prints the major version of the java binary $1, or 0
  # A JDK's release file says it without starting a JVM (which costs the launcher a few hundred ms).
  local release
  release="$(dirname "$(dirname "$(readlink -f "$1" 2>/dev/null || echo "$1")")")/release"
  if [ -f "$release" ] && grep -q '^JAVA_VERSION=' "$release"; then
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$release" | head -1
    return
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

#!/usr/bin/env bash
# Formats every Java source of the project with google-java-format, or with --check lists the files
# that are not formatted and fails. The build runs the check (mvn validate); run this to fix:
#
#   bash build/format.sh            # rewrite the files in place
#   bash build/format.sh --check    # what the build does
#
# google-java-format parses with the javac of the JVM it runs on, so it runs on the project's JDK
# (21 or newer, found as the launcher finds it): Maven here runs on 17, whose parser cannot read
# record patterns, which is why this is not Spotless (Spotless runs inside Maven's JVM).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=1.28.0
mode="${1:---apply}"
jar="${2:-$HOME/.m2/repository/com/google/googlejavaformat/google-java-format/$version/google-java-format-$version-all-deps.jar}"
if [ ! -f "$jar" ]; then
  mvn -q -B -f "$root/pom.xml" dependency:get -Dartifact="com.google.googlejavaformat:google-java-format:$version:jar:all-deps" >&2
fi
# shellcheck source=find-java.sh
source "$root/build/find-java.sh"
java="$(find_java)"
mapfile -t files < <(cd "$root" && find signalbox-*/src -name '*.java' -not -path '*/target/*' | sort)
exports=()
for p in api code file parser tree util; do exports+=("--add-exports=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED"); done
cd "$root"
case "$mode" in
  --check)
    unformatted="$("$java" "${exports[@]}" -jar "$jar" --dry-run "${files[@]}")"
    if [ -n "$unformatted" ]; then
      echo "Not formatted (run: bash build/format.sh):" >&2
      echo "$unformatted" | sed 's/^/  /' >&2
      exit 1
    fi
    echo "google-java-format $version: ${#files[@]} files formatted"
    ;;
  --apply) "$java" "${exports[@]}" -jar "$jar" --replace "${files[@]}" ;;
  *) echo "usage: bash build/format.sh [--check [JAR]]" >&2; exit 2 ;;
esac

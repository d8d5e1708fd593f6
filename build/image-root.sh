#!/usr/bin/env bash
# The image's base, made from this machine's JDK instead of pulled from a registry: a jlink'd Java
# runtime in DIR/opt/java and the shared libraries it and the bundled native code (ONNX Runtime, the
# tokenizer, SQLite) load, copied from this system. Jib lays the application over it (mvn -Pimage).
#
#   bash build/image-root.sh DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: image-root.sh DIR}"
source "$root/build/find-java.sh"
java="$(find_java)"
jdk="$(dirname "$(dirname "$(readlink -f "$java")")")"
rm -rf "$out"
mkdir -p "$out/tmp" "$out/etc" "$out/var/lib/signalbox"   # the working directory: relative trace stores and artifacts
# jdk.incubator.vector: a kNN route's int8-bounded search (the image's entrypoint adds it).
"$jdk/bin/jlink" --add-modules java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.crypto.ec,jdk.incubator.vector,jdk.management,jdk.unsupported,jdk.zipfs \
  --strip-debug --no-man-pages --no-header-files --output "$out/opt/java"
# The C and C++ runtimes: what the JVM links, and what the native libraries in the jars expect.
libs=$(ldd "$out/opt/java/bin/java" "$out/opt/java/lib/server/libjvm.so" "$out"/opt/java/lib/*.so 2>/dev/null \
  | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u)
extra=$(ldconfig -p | awk '/(libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1) \(libc6,x86-64\)/ {print $NF}' | sort -u)
for lib in $libs $extra; do
  cp --parents -L "$lib" "$out"
done
chmod 1777 "$out/tmp"
echo "signalbox:x:1000:1000::/tmp:/sbin/nologin" > "$out/etc/passwd"
echo "signalbox:x:1000:" > "$out/etc/group"
echo "image root in $out: $(du -sh "$out" | cut -f1)"

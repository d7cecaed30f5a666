#!/usr/bin/env bash
# Packs what a GPU host without Java needs beside the checkout for first light
# (bench/device/first-light.sh) into one file, and checks that the whole payload of the device call fits:
#   dist/device/turbojet-device.tar.xz:
#     runtime/   a jlinked runtime of the modules the device run uses: the bundle's that its jars need
#                (jdeps), minus java.net.http (the hub client; a device run downloads nothing), stripped
#     lib/       the bundle's turbojet.jar without CLIP's BPE files (first light puts the checkout's
#                engine-core/src/main/resources, where they are tracked, on the class path instead) and
#                without `turbojet serve` and the HTTP server under it (Javalin, Jetty, Kotlin's runtime,
#                the Jakarta APIs, SLF4J, ASM: about 9 MiB that first light never runs); its benchmarks.jar
#     tests/     the test classes of the three modules (less the serve tests) and JUnit's console launcher
#                (make-device-tests.sh), every jar stored uncompressed so that the tarball's xz sees their contents
# A device call carries the checkout's tracked (and untracked, not ignored) files plus the carried
# paths, at most 64 MiB: this fails above that, and warns above 56 MiB, the margin first light aims to
# keep free for more tests and kernels. (The jlinked runtime alone is ~12 MiB: libjvm.so and java.base.)
# Usage: make-device-payload.sh <repo root> <version> <java home>    (run by `mvn -Pbundle package` in bench)
set -euo pipefail
root=$(cd "$1" && pwd) version=$2 java_home=$3
limit=$((64 << 20)) target=$((56 << 20))
die() { echo "make-device-payload: $*" >&2; exit 1; }

bundle=$(ls -d "$root/dist/turbojet-$version"-*/ 2>/dev/null | head -1) || true
bundle=${bundle%/}
[ -n "$bundle" ] && [ -f "$bundle/BUILD-INFO" ] || die "no dist/turbojet-$version-*/: run make-bundle.sh first"
[ -d "$root/dist/turbojet-tests/lib" ] || die "no dist/turbojet-tests/: run make-device-tests.sh first"
out="$root/dist/device"
staging="$out/turbojet-device"
rm -rf "$out" && mkdir -p "$staging/lib" "$staging/tests"

source "$(dirname "$0")/stored-jar.sh"
# `turbojet serve` and what only it uses; the command line still loads without them (checked below)
server_only=(dev/turbojet/serve io/javalin org/eclipse/jetty kotlin jakarta org/objectweb org/slf4j org/intellij org/jetbrains
    'META-INF/services/jakarta.*' 'META-INF/services/org.eclipse.jetty.*' 'META-INF/services/org.slf4j.*'
    'META-INF/*.kotlin_module' META-INF/native-image/org.eclipse.jetty META-INF/maven/io.javalin 'META-INF/maven/jakarta.*'
    'META-INF/maven/org.eclipse.jetty*' META-INF/maven/org.jetbrains META-INF/maven/org.slf4j 'beans_*.xsd' jndi.properties)
# OpenBLAS's and oneDNN's libraries (130 MB): the device run's CPU side uses the Vector API GEMM instead,
# which CpuOps picks by itself where neither is present
store_jar "$java_home" "$bundle/lib/turbojet.jar" "$staging/lib/turbojet.jar" dev/turbojet/clip/vocab.json dev/turbojet/clip/merges.txt \
    "${server_only[@]}" org/bytedeco
left=$("$java_home/bin/jar" --list --file "$staging/lib/turbojet.jar" | grep -E '^(io/javalin|org/eclipse/jetty|kotlin|dev/turbojet/serve)/' | head -3) || true
[ -z "$left" ] || die "the device jar still holds server classes: $left"
store_jar "$java_home" "$bundle/lib/benchmarks.jar" "$staging/lib/benchmarks.jar" org/bytedeco

# The bundle's modules that the device's jars use (jdeps: the server's java.naming, java.rmi, ... go),
# with the Vector API and the jar file system the bundle adds, less java.net.http
feature=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
used=$( ("$java_home/bin/jdeps" --multi-release "$feature" --ignore-missing-deps --list-deps "$staging/lib/turbojet.jar" \
    "$staging/lib/benchmarks.jar" | sed -n 's|^ *\([a-z][a-z0-9.]*\).*|\1|p'; echo jdk.incubator.vector; echo jdk.zipfs) | sort -u)
modules=$(sed -n 's/.*modules: //p' "$bundle/BUILD-INFO" | tr ',' '\n' | grep -vx 'java.net.http' | grep -xF -f <(echo "$used") | paste -sd, -)
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
    --dedup-legal-notices=error-if-not-same-content --output "$staging/runtime" 2>&1 | grep -v 'incubator modules' || true
[ -x "$staging/runtime/bin/java" ] || die "jlink failed"
if command -v strip >/dev/null 2>&1; then find "$staging/runtime" -name '*.so' -exec strip --strip-unneeded {} +; fi
"$staging/runtime/bin/java" -jar "$staging/lib/turbojet.jar" --help >/dev/null \
    || die "the device jar's command line does not start without the server's classes"
for jar in "$root"/dist/turbojet-tests/lib/*-tests.jar; do       # already stored (make-device-tests.sh)
    store_jar "$java_home" "$jar" "$staging/tests/$(basename "$jar")" dev/turbojet/serve
done
store_jar "$java_home" "$root/dist/turbojet-tests/lib/junit-console.jar" "$staging/tests/junit-console.jar"
echo "$version; $(head -1 "$bundle/BUILD-INFO" | sed 's/^[^;]*; //'); device modules: $modules" > "$staging/BUILD-INFO"

XZ_OPT="-9e -T0" tar -C "$out" -cJf "$out/turbojet-device.tar.xz" turbojet-device
rm -rf "$staging"

carried=$(stat -c %s "$out/turbojet-device.tar.xz")
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    # what the device tool copies: tracked files and untracked ones git does not ignore
    checkout=$(cd "$root" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done | xargs -0 -r stat -c %s | awk '{s+=$1} END{print s+0}')
else
    checkout=0
    echo "make-device-payload: not a git checkout: the checkout's share of the payload is not counted"
fi
total=$((checkout + carried))
mib() { awk -v b="$1" 'BEGIN{printf "%.1f MiB", b/1048576}'; }
echo "make-device-payload: checkout $(mib "$checkout") + dist/device $(mib "$carried") = $(mib "$total")" \
     "(a device call carries $(mib "$limit"); target $(mib "$target"))"
[ "$total" -le "$limit" ] || die "the device payload is $(mib "$total"), over the $(mib "$limit") a device call carries: trim the bundle or the checkout"
[ "$total" -le "$target" ] || echo "make-device-payload: warning: $(mib $((total - target))) over the $(mib "$target") target (8 MiB of margin)"

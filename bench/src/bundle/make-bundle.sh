#!/usr/bin/env bash
# Builds the self-contained turbojet bundle from the shaded jars the reactor just packaged:
#   dist/turbojet-<version>-<os>-<arch>/{runtime/, lib/turbojet.jar, lib/benchmarks.jar, bin/turbojet, bin/turbojet-bench}
#   dist/turbojet-<version>-<os>-<arch>.tar.xz
# runtime/ is a jlinked JDK holding only the modules the jars use (jdeps), plus jdk.incubator.vector
# (the CPU backend's GEMM), java.net.http (the Hugging Face hub client) and jdk.zipfs (the jar file
# system: JUnit's class-path scan when the device test suites run on this runtime).
# Usage: make-bundle.sh <repo root> <version> <java home>   (run by `mvn -Pbundle package` in bench)
set -euo pipefail

root=$(cd "$1" && pwd) version=$2 java_home=$3
min_jdk=22

die() { echo "make-bundle: $*" >&2; exit 1; }

jlink="$java_home/bin/jlink" jdeps="$java_home/bin/jdeps"
[ -x "$jlink" ] && [ -x "$jdeps" ] \
    || die "no jlink/jdeps in $java_home: the bundle needs a full JDK $min_jdk+ (not a JRE) as the JAVA_HOME Maven runs on"
feature=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "${feature:-0}" -ge "$min_jdk" ] 2>/dev/null \
    || die "jlink comes from $java_home (Java $feature); the bundle needs JDK $min_jdk+: export JAVA_HOME=<a JDK $min_jdk+>"

app="$root/engine-core/target/turbojet.jar"
bench="$root/bench/target/benchmarks.jar"
for jar in "$app" "$bench"; do [ -f "$jar" ] || die "missing $jar: run the reactor's package phase first"; done

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64) platform=linux-aarch64 ;;
    *) platform="$(uname -s | tr 'A-Z' 'a-z')-$(uname -m)" ;;
esac
name="turbojet-$version-$platform"
out="$root/dist/$name"
rm -rf "$out" "$root/dist/$name.tar.xz"
mkdir -p "$out/lib" "$out/bin"

# --list-deps, not --print-module-deps: the latter drops modules another one requires transitively
# (java.logging behind java.sql), which would go missing with the optional modules left out below.
deps=$("$jdeps" --multi-release "$feature" --ignore-missing-deps --list-deps "$app" "$bench" \
    | sed -n 's|^ *\([a-z][a-z0-9.]*\).*|\1|p' | sort -u | paste -sd, -)
# jdeps also reports modules that only optional code paths touch; they are left out, which takes
# java.desktop's 5,000 classes (with java.prefs, java.datatransfer) and java.xml's 2,200 off the runtime:
#   java.desktop: jackson-databind's ext (java.beans annotations, looked up reflectively and skipped
#                 when absent) and commons-math3's 2-D geometry (JMH uses only its statistics);
#   java.sql:     jackson-databind's java.sql.Date/Timestamp (de)serializers, found by class name;
#   java.xml:     jackson-databind's DOM and XMLGregorianCalendar handlers, found by class name.
optional_only="java.desktop java.sql java.xml"
modules=$(echo "$deps,jdk.incubator.vector,java.net.http,jdk.zipfs" | tr ',' '\n' | grep -vxF -f <(echo "$optional_only" | tr ' ' '\n') \
    | sort -u | paste -sd, -)
echo "make-bundle: jdeps found $deps; linking $modules (left out as optional-only: $optional_only)"
"$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
    --dedup-legal-notices=error-if-not-same-content --output "$out/runtime"
# The JDK's native libraries carry their symbol tables (libjvm.so: 30 MB, 25 MB without): the
# runtime needs only the dynamic symbols, which --strip-unneeded keeps.
if command -v strip >/dev/null 2>&1; then
    find "$out/runtime" -name '*.so' -exec strip --strip-unneeded {} +
    strip --strip-unneeded "$out/runtime/bin/java" "$out/runtime/lib/jspawnhelper" 2>/dev/null || true
else
    echo "make-bundle: no strip on PATH: native libraries keep their symbol tables (a larger tarball)"
fi

source "$(dirname "$0")/stored-jar.sh"
store_jar "$java_home" "$app" "$out/lib/turbojet.jar"
# benchmarks.jar without what turbojet.jar already holds (the engine and its libraries): it names
# turbojet.jar in its manifest's Class-Path instead, which JMH's forked JVMs follow too.
thin="$out/lib/.benchmarks"
mkdir -p "$thin" && (cd "$thin" && "$java_home/bin/jar" --extract --file "$bench")
"$java_home/bin/jar" --list --file "$app" | grep -v '/$' | grep -v '^META-INF/MANIFEST.MF$' \
    | (cd "$thin" && xargs -r rm -f)
find "$thin" -type d -empty -delete
rm -f "$thin/META-INF/MANIFEST.MF"
printf 'Main-Class: org.openjdk.jmh.Main\nClass-Path: turbojet.jar\nEnable-Native-Access: ALL-UNNAMED\n' > "$out/lib/.manifest"
"$java_home/bin/jar" --create --no-compress --file "$out/lib/benchmarks.jar" --manifest "$out/lib/.manifest" -C "$thin" .
rm -rf "$thin" "$out/lib/.manifest"

flags='--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector'
cp "$root/.ci/run-java.sh" "$out/bin/run-java.sh"
cat > "$out/bin/turbojet" <<LAUNCHER
#!/usr/bin/env bash
# turbojet on its bundled Java runtime. Extra JVM options: TURBOJET_JAVA_OPTS (e.g. -Xmx20g).
here=\$(dirname "\$(readlink -f "\$0")")/..
source "\$here/bin/run-java.sh"
run_java "\$here/runtime/bin/java" $flags -XX:MaxRAMPercentage=75 \${TURBOJET_JAVA_OPTS:-} -jar "\$here/lib/turbojet.jar" "\$@"
LAUNCHER
cat > "$out/bin/turbojet-bench" <<LAUNCHER
#!/bin/sh
# JMH benchmarks on the bundled Java runtime (forks use the same runtime and flags).
#   turbojet-bench -l                                     list benchmarks
#   turbojet-bench UNetBench -p size=full -p latent=16 -rf json -rff unet.json
#   turbojet-bench summary unet.json ...                 ms/op and GFLOP/s table
here=\$(dirname "\$(readlink -f "\$0")")/..
if [ "\${1:-}" = summary ]; then
    shift
    exec "\$here/runtime/bin/java" $flags -cp "\$here/lib/benchmarks.jar" dev.turbojet.bench.Summary "\$@"
fi
exec "\$here/runtime/bin/java" $flags -jar "\$here/lib/benchmarks.jar" "\$@"
LAUNCHER
chmod +x "$out/bin/turbojet" "$out/bin/turbojet-bench"

echo "$version $platform; runtime: $("$out/runtime/bin/java" -version 2>&1 | head -1); modules: $modules" > "$out/BUILD-INFO"

XZ_OPT="-9e -T0" tar -C "$root/dist" -cJf "$root/dist/$name.tar.xz" "$name"
echo "make-bundle: $out"
echo "make-bundle: runtime $(du -sh "$out/runtime" | cut -f1), lib $(du -sh "$out/lib" | cut -f1);" \
     "tarball $(du -h "$root/dist/$name.tar.xz" | cut -f1) ($(stat -c %s "$root/dist/$name.tar.xz") bytes)"

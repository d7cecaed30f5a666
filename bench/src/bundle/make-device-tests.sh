#!/usr/bin/env bash
# Packs the test suites so they can run on a GPU host that has no JDK and no Maven, beside the
# bundle (make-bundle.sh):
#   dist/turbojet-tests/{lib/junit-console.jar, lib/*-tests.jar, bin/run-tests}
# The test classes are jarred without their resources: the reference data they read
# (engine-core/src/test/resources, ...) is in the repository checkout, which bin/run-tests puts
# on the class path. Usage: make-device-tests.sh <repo root> <junit console jar>
set -euo pipefail
root=$(cd "$1" && pwd) console=$2
die() { echo "make-device-tests: $*" >&2; exit 1; }
[ -f "$console" ] || die "no JUnit console launcher at $console"
out="$root/dist/turbojet-tests"
rm -rf "$out" && mkdir -p "$out/lib" "$out/bin"
cp "$console" "$out/lib/junit-console.jar"
for module in ffi-bindings kernels engine-core; do
    classes="$root/$module/target/test-classes"
    [ -d "$classes" ] || die "no $classes: build with 'mvn -Pbundle package -DskipTests' (test classes compile even when tests are skipped)"
    # class files only (with their folders: JUnit's class-path scan walks them); resources stay in the checkout
    staging="$out/$module.classes"
    (cd "$classes" && find . -name '*.class' -exec install -D -m 644 {} "$staging/{}" \;)
    jar --create --no-compress --file "$out/lib/$module-tests.jar" -C "$staging" .  # stored: see stored-jar.sh
    rm -rf "$staging"
done
cat > "$out/bin/run-tests" <<'LAUNCHER'
#!/bin/sh
# Runs turbojet's JUnit suites with the bundled runtime, from the repository checkout:
#   dist/turbojet-tests/bin/run-tests dist/turbojet-<version>-linux-x64 [junit console options]
# e.g. --select-package dev.turbojet.ops.cuda   or   --select-class dev.turbojet.ffi.cuda.CudaDriverGpuTest
# Without a --select/--scan option: every test of the three modules (--scan-class-path). The report is the console output (the bundled runtime has
# no java.xml, so no XML reports): tee it into bench/results/.
set -e
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
bundle=$(cd "$1" && pwd); shift
repo=$(cd "$here/../.." && pwd)
cp="$bundle/lib/turbojet.jar:$here/lib/ffi-bindings-tests.jar:$here/lib/kernels-tests.jar:$here/lib/engine-core-tests.jar"
cp="$cp:$repo/ffi-bindings/src/test/resources:$repo/kernels/src/test/resources:$repo/engine-core/src/test/resources"
# The tiny model's tokenizer folders need CLIP's BPE files, which the repository does not track
# twice (the Maven build copies them in); take them from the jar that bundles them.
for t in tokenizer tokenizer_2; do
    d="$repo/engine-core/src/test/resources/reference/tiny-sdxl/$t"
    for f in vocab.json merges.txt; do
        [ -f "$d/$f" ] && continue
        if command -v python3 >/dev/null; then
            python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
                "$bundle/lib/turbojet.jar" "dev/turbojet/clip/$f" "$d/$f"
        else
            unzip -p "$bundle/lib/turbojet.jar" "dev/turbojet/clip/$f" > "$d/$f"
        fi
    done
done
case " $* " in *" --select"*|*" --scan"*) ;; *) set -- --scan-class-path "$@" ;; esac
cd "$repo"
exec "$bundle/runtime/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx13g \
    -jar "$here/lib/junit-console.jar" execute --class-path "$cp" \
    --details=summary --details-theme=ascii "$@"
LAUNCHER
chmod +x "$out/bin/run-tests"
echo "make-device-tests: $(du -sh "$out" | cut -f1) in $out"

#!/usr/bin/env bash
# Packs what a GPU host without Java needs beside the checkout for first light
# (bench/device/first-light.sh) into one file, and checks that the whole payload of the device call fits:
#   dist/device/turbojet-device.tar.xz:
#     runtime/   a jlinked runtime of the modules the device run uses: the bundle's minus java.net.http
#                (the hub client; a device run downloads nothing), stripped
#     lib/       the bundle's turbojet.jar without CLIP's BPE files (first light puts the checkout's
#                engine-core/src/main/resources, where they are tracked, on the class path instead),
#                its benchmarks.jar
#     tests/     the test classes of the three modules and JUnit's console launcher (make-device-tests.sh),
#                every jar stored uncompressed so that the tarball's xz sees their contents
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

modules=$(sed -n 's/.*modules: //p' "$bundle/BUILD-INFO" | tr ',' '\n' | grep -vx 'java.net.http' | paste -sd, -)
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
    --dedup-legal-notices=error-if-not-same-content --output "$staging/runtime" 2>&1 | grep -v 'incubator modules' || true
[ -x "$staging/runtime/bin/java" ] || die "jlink failed"
if command -v strip >/dev/null 2>&1; then find "$staging/runtime" -name '*.so' -exec strip --strip-unneeded {} +; fi

source "$(dirname "$0")/stored-jar.sh"
store_jar "$java_home" "$bundle/lib/turbojet.jar" "$staging/lib/turbojet.jar" dev/turbojet/clip/vocab.json dev/turbojet/clip/merges.txt
cp "$bundle/lib/benchmarks.jar" "$staging/lib/benchmarks.jar"
cp "$root"/dist/turbojet-tests/lib/*-tests.jar "$staging/tests/"  # already stored (make-device-tests.sh)
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

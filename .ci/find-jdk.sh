# Sourced by ./build, ./turbojet and .ci/run: exports JAVA_HOME (and PATH) for a JDK 22 or newer.
# Looks at JAVA_HOME, then the java on PATH, then every JDK under $TURBOJET_JDK_DIRS (default
# /usr/lib/jvm /usr/java /opt/java /Library/Java/JavaVirtualMachines/*/Contents/Home), newest first.
# Where there is none it says what to install and returns 1. TURBOJET_QUIET=1: no "JAVA_HOME=" line.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
turbojet_find_jdk() {
    local current candidate v best="" best_v=0
    current="${JAVA_HOME:-}"
    if [ -z "$current" ] && command -v java >/dev/null 2>&1; then
        current="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    fi
    if [ -n "$current" ] && [ "$(java_major "$current" 2>/dev/null || echo 0)" -ge 22 ] 2>/dev/null; then
        echo "$current"
        return 0
    fi
    # shellcheck disable=SC2086
    for candidate in ${TURBOJET_JDK_DIRS:-/usr/lib/jvm/* /usr/java/* /opt/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home}; do
        [ -x "$candidate/bin/javac" ] || continue
        v=$(java_major "$candidate" 2>/dev/null || echo 0)
        if [ "${v:-0}" -ge 22 ] 2>/dev/null && [ "${v:-0}" -gt "$best_v" ]; then best="$candidate"; best_v="$v"; fi
    done
    [ -n "$best" ] || return 1
    echo "$best"
}
if found="$(turbojet_find_jdk)"; then
    export JAVA_HOME="$found"
    export PATH="$JAVA_HOME/bin:$PATH"
    [ -n "${TURBOJET_QUIET:-}" ] || echo "JAVA_HOME=$JAVA_HOME ($(java_major "$JAVA_HOME"))"
else
    echo "turbojet needs a JDK 22 or newer (the Foreign Function & Memory API is final from 22 on) and found none:" >&2
    echo "  JAVA_HOME=${JAVA_HOME:-(unset)}, java on PATH: $(command -v java || echo none), nothing newer under ${TURBOJET_JDK_DIRS:-/usr/lib/jvm}." >&2
    echo "  Install one, e.g. Temurin 25 (https://adoptium.net, or 'apt install temurin-25-jdk' from Adoptium's apt" >&2
    echo "  repository, or 'sdk install java 25-tem'), then run this again; or set JAVA_HOME to a JDK 22+." >&2
    return 1 2>/dev/null || exit 1
fi
unset found

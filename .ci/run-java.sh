# Sourced by the turbojet launchers (./turbojet, and the bundle's bin/turbojet, which carries a copy):
# run_java JAVA ARGS... runs the JVM with one line of its stderr filtered out.
#
# The JVM prints "WARNING: Using incubator modules: jdk.incubator.vector" on every start (the Vector API
# is still incubating, and no flag silences it): java's stderr goes through a filter that drops exactly
# that line and passes every other line on at once. TERM, INT and HUP are forwarded to java, which
# shuts down as it would without the filter; the exit status is java's.
run_java() {
    local filter fpid pid rc=0
    exec {filter}> >(trap '' INT TERM HUP; exec grep --line-buffered -vxF 'WARNING: Using incubator modules: jdk.incubator.vector' >&2)
    fpid=$!
    "$@" <&0 2>&"$filter" &
    pid=$!
    exec {filter}>&-
    trap 'kill -TERM "$pid" 2>/dev/null' TERM INT HUP
    wait "$pid" || rc=$?
    while kill -0 "$pid" 2>/dev/null; do rc=0; wait "$pid" || rc=$?; done  # woken by a forwarded signal
    trap - TERM INT HUP
    wait "$fpid" 2>/dev/null || true  # the filter's last lines are out before we return
    return "$rc"
}

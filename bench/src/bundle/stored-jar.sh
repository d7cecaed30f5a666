# Sourced by the bundle scripts. store_jar JAVA_HOME JAR OUT [ENTRY...]: JAR's entries re-stored
# without compression into OUT, leaving out the ENTRY paths named (files or folders; shell globs match). Jars inside an xz tarball are
# smaller stored: xz compresses across their entries (and the fatbin's many similar kernels) far
# better than each entry's own deflate.
store_jar() {
    local java_home=$1 jar=$2 target=$3; shift 3
    local dir
    dir=$(mktemp -d)
    (cd "$dir" && "$java_home/bin/jar" --extract --file "$jar")
    local e
    for e in "$@"; do (cd "$dir" && eval "rm -rf -- $e"); done
    if [ -f "$dir/META-INF/MANIFEST.MF" ]; then
        mv "$dir/META-INF/MANIFEST.MF" "$dir.manifest"
        "$java_home/bin/jar" --create --no-compress --file "$target" --manifest "$dir.manifest" -C "$dir" .
    else
        "$java_home/bin/jar" --create --no-compress --no-manifest --file "$target" -C "$dir" .
    fi
    rm -rf "$dir" "$dir.manifest"
}

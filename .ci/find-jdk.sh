# Sourced: exports JAVA_HOME for a JDK 22+ if the current one is older.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
current="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
if [ -z "$current" ] || [ "$(java_major "$current" 2>/dev/null || echo 0)" -lt 22 ] 2>/dev/null; then
    for candidate in /usr/lib/jvm/*; do
        [ -x "$candidate/bin/javac" ] || continue
        v=$(java_major "$candidate" 2>/dev/null || echo 0)
        if [ "${v:-0}" -ge 22 ] 2>/dev/null; then current="$candidate"; break; fi
    done
fi
export JAVA_HOME="$current"
export PATH="$JAVA_HOME/bin:$PATH"
echo "JAVA_HOME=$JAVA_HOME ($(java_major "$JAVA_HOME"))"

#!/usr/bin/env bash
# turbojet vs PyTorch on the CPU, one command: sets the PyTorch side up in .peer/ (ignored), builds the
# bench jar, then runs both sides interleaved, one fresh process per side per run, and writes
# bench/results/cpu-<date>-<short sha>/cpu-side-by-side.json (or --out) and a markdown table.
#
#   bench/peer/cpu-side-by-side.sh                                   # full size, every component, 3 runs x 3
#   bench/peer/cpu-side-by-side.sh --size tiny --runs 2 --iters 2 --out /tmp/sbs-tiny
#
# Options (all but the first two go to bench/peer/side_by_side.py):
#   --no-build              use bench/target/benchmarks.jar as it is
#   --setup-only            set up .peer/ and build, run nothing
#   --components LIST       unet,vae-decode,text-encoders (default: all three)
#   --runs N                processes per side per component (default 3)
#   --iters K               timed forwards per process after one warm-up (default 3)
#   --size full|tiny        SDXL Turbo, or the tiny-sdxl test config (rehearsal)
#   --latent S              latent side for unet and vae-decode (default 64: 512 px)
#   --threads N             torch.set_num_threads and CpuOps threads (default: nproc)
#   --java-opts 'OPTS'      JVM options (default '-XX:+UseG1GC -XX:+AlwaysPreTouch')
#   --java-heap C=SIZE,...  -Xms = -Xmx per component (default 'unet=2g,vae-decode=1100m,text-encoders=1g')
#   --out DIR               output folder
#
# The PyTorch side: .peer/venv (python3 -m venv) with torch and transformers from pip, and diffusers'
# source on PYTHONPATH from .peer/diffusers/src. When that folder is absent, `pip install --target` fills
# it where pip's index has diffusers; otherwise the script says how to provide it. Extra pip arguments
# (an index, a CPU-only torch wheel source) go in PEER_PIP_ARGS; Maven arguments (-o) in MAVEN_ARGS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PEER="$ROOT/.peer"
VENV="$PEER/venv"
DIFFUSERS_SRC="$PEER/diffusers/src"
PY_DEPS=(torch transformers safetensors "huggingface-hub<2" numpy pillow regex requests filelock importlib_metadata httpx)
IMPORTS="import torch, transformers, safetensors, huggingface_hub, numpy, PIL, regex, requests, filelock, importlib_metadata, httpx"

build=1
setup_only=0
pass=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --setup-only) setup_only=1 ;;
        --java-opts) pass+=("--java-opts=${2:?--java-opts needs a value}"); shift ;;   # argparse reads "-Xmx..." as an option
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pass+=("$1") ;;
    esac
    shift
done

say() { echo "[side-by-side] $*" >&2; }

# --- Java: a JDK 22+ and the bench jar ---------------------------------------------------------
TURBOJET_QUIET=1 source "$ROOT/.ci/find-jdk.sh"
if [ "$build" = 1 ]; then
    say "building bench/target/benchmarks.jar (mvn -pl bench -am package -DskipTests ${MAVEN_ARGS:-})"
    mvn -B -ntp -q -pl bench -am package -DskipTests
elif [ ! -f bench/target/benchmarks.jar ]; then
    say "bench/target/benchmarks.jar is missing: run without --no-build"; exit 2
fi

# --- PyTorch: .peer/venv and diffusers' source -------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "$IMPORTS" 2>/dev/null; then
    say "pip install ${PY_DEPS[*]} ${PEER_PIP_ARGS:-}"
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install -q ${PEER_PIP_ARGS:-} "${PY_DEPS[@]}"
fi
if [ ! -f "$DIFFUSERS_SRC/diffusers/__init__.py" ]; then
    say "no diffusers source in $DIFFUSERS_SRC: trying pip install --no-deps --target $DIFFUSERS_SRC diffusers"
    # shellcheck disable=SC2086
    if ! "$VENV/bin/python" -m pip install -q --no-deps --target "$DIFFUSERS_SRC" ${PEER_PIP_ARGS:-} diffusers; then
        rm -rf "$DIFFUSERS_SRC"
        cat >&2 <<EOF
[side-by-side] pip could not fetch diffusers here. Provide its source as $DIFFUSERS_SRC, then rerun; either
    git clone --depth 1 https://github.com/huggingface/diffusers .peer/diffusers      # src/ is what is used
or, with a wheel fetched elsewhere (pip download --no-deps diffusers):
    .peer/venv/bin/pip install --no-deps --target .peer/diffusers/src diffusers-*.whl
EOF
        exit 2
    fi
fi
if ! PYTHONPATH="$DIFFUSERS_SRC" "$VENV/bin/python" -c "import diffusers; from diffusers import UNet2DConditionModel, AutoencoderKL" ; then
    say "diffusers in $DIFFUSERS_SRC does not import with $VENV's packages (above: the missing module or the version clash);"
    say "install what it names into the venv: .peer/venv/bin/pip install <package>"
    exit 2
fi
say "java: $JAVA_HOME; python: $VENV/bin/python; diffusers: $DIFFUSERS_SRC"
[ "$setup_only" = 1 ] && exit 0

# --- the runs ----------------------------------------------------------------------------------
exec python3 "$ROOT/bench/peer/side_by_side.py" --java "$JAVA_HOME/bin/java" --jar "$ROOT/bench/target/benchmarks.jar" \
    --python "$VENV/bin/python" --pythonpath "$DIFFUSERS_SRC" ${pass[@]+"${pass[@]}"}

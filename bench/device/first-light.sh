#!/usr/bin/env bash
# First light: every GPU check and measurement turbojet has, in one run that fits a device call.
#
#   bench/device/first-light.sh [--out DIR]     on a GPU host (NVIDIA driver, cuBLAS / cuDNN 9 in the
#                                               host Python's nvidia-* packages, PyTorch), from the
#                                               repository root, with dist/device/turbojet-device.tar.xz
#                                               (mvn -Pbundle package) carried beside the checkout
#   bench/device/first-light.sh --dry-run [--with-payload] [--out DIR] [--junit-console JAR] [--budget SECONDS]
#                                               the same stages on this machine: the build tree's jars
#                                               on the JDK, the CUDA emulator's libraries
#                                               (ffi-bindings/target/cuda-emulator), tiny sizes;
#                                               --with-payload: with the device payload's runtime and jars
#
# Stages, in order, each under its own time limit and all within the run's budget (480 s on a GPU), each writing its results into the output folder
# ($OUT, else --out, else bench/target/first-light) as it goes, so that a run cut short still returns
# what it did:
#   a  gpu-tests      the *GpuTest suites: every op and model against the CPU backend
#   b  verify-fp16/bf16  `turbojet verify --backend cuda` on the tiny reference model
#   c  jmh-*          JMH on cuda, fp16: UNet forward (eager, and replayed as a CUDA graph), VAE decode,
#                     text encoders, pipeline, GEMM, conv
#   d  peer-*         the same work in PyTorch (bench/peer), timed with CUDA events
#   e  profile-unet   `turbojet profile` of the UNet: per-op table against measured ceilings
#   f  soak           generations in a loop, device memory before and after
# then summary.json: one entry per stage (status, seconds, files).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

dry_run=false
out=${OUT:-}
console_arg=""
with_payload=false
budget_arg=""
while [ $# -gt 0 ]; do
    case "$1" in
        --dry-run) dry_run=true ;;
        --out) out=$2; shift ;;
        --junit-console) console_arg=$2; shift ;;
        --with-payload) with_payload=true ;;
        --budget) budget_arg=$2; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "first-light: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$out" ] || out="$root/bench/target/first-light"
# the whole run's time: each stage gets at most what is left of it (8 minutes on a GPU, as first light's
# share of a 15-minute device lease with the machine's start; the emulator is ~100x slower, so more)
budget=${budget_arg:-$($dry_run && echo 1500 || echo 480)}
lim() { if $dry_run; then echo "$1"; else echo "$2"; fi; }  # lim DRY-RUN-SECONDS DEVICE-SECONDS
mkdir -p "$out" && out=$(cd "$out" && pwd)
: > "$out/stages.jsonl"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$SECONDS

log() { echo "[first-light $(date -u +%H:%M:%S) +$((SECONDS - t0))s] $*" | tee -a "$out/first-light.log" >&2; }
json_string() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n\t' '  ')"; }

# stage NAME LIMIT_SECONDS COMMAND...: runs COMMAND with its output in NAME.log, under a time limit,
# and records the outcome. A failed stage does not stop the run.
stage() {
    local name=$1 limit=$2; shift 2
    local left=$((budget - (SECONDS - t0)))
    if [ "$left" -lt 15 ]; then skip "$name" "out of time (the run's budget is ${budget}s)"; return; fi
    [ "$limit" -le "$left" ] || limit=$left
    log "stage $name (limit ${limit}s): $*"
    local s=$SECONDS rc
    timeout -k 15 "$limit" "$@" > "$out/$name.log" 2>&1
    rc=$?
    local status=ok
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status=timeout; elif [ $rc -ne 0 ]; then status=failed; fi
    log "stage $name: $status (exit $rc) in $((SECONDS - s))s"
    [ "$status" = ok ] || tail -n 15 "$out/$name.log" | sed 's/^/    /' >&2
    printf '{"stage": %s, "status": "%s", "exit": %d, "seconds": %d, "limit": %d, "log": %s}\n' \
        "$(json_string "$name")" "$status" "$rc" "$((SECONDS - s))" "$limit" "$(json_string "$name.log")" >> "$out/stages.jsonl"
}
skip() {
    log "stage $1: skipped: $2"
    printf '{"stage": %s, "status": "skipped", "reason": %s}\n' "$(json_string "$1")" "$(json_string "$2")" >> "$out/stages.jsonl"
}

# ---- where everything is --------------------------------------------------------------------------
# use_payload: java, the jars and the tests from dist/device/turbojet-device.tar.xz (make-device-payload.sh)
use_payload() {
    local payload="$root/dist/device/turbojet-device.tar.xz"
    [ -f "$payload" ] || { echo "first-light: no $payload (mvn -B -Pbundle package -DskipTests, then carry dist/device)" >&2; exit 2; }
    local work=${TMPDIR:-/tmp}/turbojet-first-light
    rm -rf "$work" && mkdir -p "$work" && tar -C "$work" -xJf "$payload"
    local device="$work/turbojet-device"
    java="$device/runtime/bin/java"
    engine="$device/lib/turbojet.jar" benchmarks="$device/lib/benchmarks.jar"
    console="$device/tests/junit-console.jar"
    test_cp="$engine:$device/tests/ffi-bindings-tests.jar:$device/tests/kernels-tests.jar:$device/tests/engine-core-tests.jar"
}
tiny="$root/engine-core/src/test/resources/reference/tiny-sdxl"
goldens="$root/engine-core/src/test/resources/reference/goldens"
if $dry_run; then
    source "$root/.ci/find-jdk.sh" >/dev/null
    java="$JAVA_HOME/bin/java"
    engine="$root/engine-core/target/turbojet.jar" benchmarks="$root/bench/target/benchmarks.jar"
    libs="$root/ffi-bindings/target/cuda-emulator"
    if [ -f "$libs/UNAVAILABLE" ]; then  # as the GPU suites do: skip, saying why
        echo "first-light --dry-run: skipped: the CUDA emulator was not built: $(cat "$libs/UNAVAILABLE")"
        exit 0
    fi
    for f in "$engine" "$benchmarks" "$libs/libcuda.so.1" "$libs/libcublasLt.so.13" "$libs/libcudnn.so.9"; do
        [ -f "$f" ] || { echo "first-light --dry-run: missing $f (run mvn -B package first)" >&2; exit 2; }
    done
    export TURBOJET_LIB_PATH="$libs"
    test_props="-Dturbojet.gpu.libs=$libs -Dturbojet.cuda.lib.cuda=$libs/libcuda.so.1 -Dturbojet.cuda.lib.cublasLt=$libs/libcublasLt.so.13 -Dturbojet.cuda.lib.cudnn=$libs/libcudnn.so.9"
    console=${console_arg:-$(ls "$HOME"/.m2/repository/org/junit/platform/junit-platform-console-standalone/*/junit-platform-console-standalone-*.jar 2>/dev/null | tail -1)}
    test_cp="$engine:$root/ffi-bindings/target/test-classes:$root/kernels/target/test-classes:$root/engine-core/target/test-classes"
    size=tiny latent=16 iterations="-wi 0 -i 1 -f 0" loops=3 python=$(command -v python3 || true)
    # --with-payload: the device payload's own runtime, jars and tests on the emulator (checks the payload)
    if $with_payload; then use_payload; fi
else
    use_payload
    test_props="-Dturbojet.gpu.libs="
    python=$(command -v python3 || command -v python || true)
    # cuBLAS and cuDNN from the host Python's nvidia-* wheels (the driver is the system's libcuda.so.1)
    if [ -n "$python" ]; then
        wheel_libs=$("$python" - <<'PY' 2>/dev/null
import importlib, os
dirs = []
for m in ("nvidia.cublas", "nvidia.cudnn", "nvidia.cuda_nvrtc", "nvidia.cu13"):
    try:
        mod = importlib.import_module(m)
    except ImportError:
        continue
    for base in list(getattr(mod, "__path__", [])):
        lib = os.path.join(base, "lib")
        if os.path.isdir(lib):
            dirs.append(lib)
print(":".join(dirs))
PY
)
        export TURBOJET_LIB_PATH="${wheel_libs}${TURBOJET_LIB_PATH:+:$TURBOJET_LIB_PATH}"
    fi
    size=full latent=64 iterations="-wi 3 -i 10 -f 1" loops=200
fi
jvm=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector)
# commands as arrays: a stage runs them under timeout(1), which cannot run shell functions
# (the device payload's turbojet.jar leaves CLIP's BPE files to the checkout's main resources)
turbojet=("$java" "${jvm[@]}" -Xmx16g -cp "$engine:$root/engine-core/src/main/resources" dev.turbojet.cli.Main)
jmh=("$java" "${jvm[@]}" -jar "$benchmarks")
# the test classes read their resources (the reference kit) from the checkout
test_cp="$test_cp:$root/engine-core/src/main/resources:$root/ffi-bindings/src/test/resources:$root/kernels/src/test/resources:$root/engine-core/src/test/resources"
for t in tokenizer tokenizer_2; do  # CLIP's BPE files for the tiny model, untracked (see .gitignore)
    for f in vocab.json merges.txt; do
        [ -f "$tiny/$t/$f" ] || cp "$root/engine-core/src/main/resources/dev/turbojet/clip/$f" "$tiny/$t/$f"
    done
done

# ---- the machine ---------------------------------------------------------------------------------
{
    echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)  started $started  mode $($dry_run && echo dry-run || echo device)"
    if command -v nvidia-smi >/dev/null 2>&1; then
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv,noheader
        nvidia-smi
    else
        echo "no nvidia-smi"
    fi
    "$java" -version 2>&1 | head -1
    echo "TURBOJET_LIB_PATH=${TURBOJET_LIB_PATH:-}"
} > "$out/machine.txt" 2>&1
log "$(head -2 "$out/machine.txt" | tr '\n' ' ')"

# ---- a: the GPU suites ---------------------------------------------------------------------------
if [ -z "${console:-}" ] || [ ! -f "$console" ]; then
    skip gpu-tests "no JUnit console launcher"
else
    if $dry_run; then select=(--select-class dev.turbojet.ffi.cuda.CudaDriverGpuTest --select-class dev.turbojet.ops.cuda.CudaOpsGpuTest)
    else select=(--scan-class-path --include-classname '.*GpuTest'); fi
    # shellcheck disable=SC2086
    stage gpu-tests "$(lim 240 120)" "$java" "${jvm[@]}" -Xmx14g $test_props -jar "$console" execute --class-path "$test_cp" \
        --details=tree --details-theme=ascii --disable-banner "${select[@]}"
fi

# ---- b: verify on cuda, fp16 and bf16 ------------------------------------------------------------
for p in fp16 bf16; do
    stage "verify-$p" "$(lim 150 30)" "${turbojet[@]}" verify --backend cuda --precision "$p" --model "$tiny" --goldens "$goldens"
done

# ---- c: JMH on cuda -------------------------------------------------------------------------------
bench() {  # bench NAME LIMIT JMH-ARGS...
    local name=$1 limit=$2; shift 2
    # shellcheck disable=SC2086
    stage "jmh-$name" "$limit" "${jmh[@]}" "$@" -p backend=cuda -p dtype=fp16 $iterations -rf json -rff "$out/jmh-$name.json"
}
bench unet "$(lim 150 50)" UNetBench -p size=$size -p latent=$latent
bench unet-graphs "$(lim 150 40)" UNetBench -p size=$size -p latent=$latent -p graphs=true  # denoise as one CUDA graph
bench vae "$(lim 90 40)" VaeDecodeBench -p size=$size -p latent=$latent
bench text-encoders "$(lim 60 30)" TextEncoderBench -p size=$size
bench pipeline "$(lim 120 50)" PipelineBench -p size=$size -p latent=$latent -p steps=1
if $dry_run; then bench ops 60 GemmBench; else bench ops 30 'GemmBench|ConvBench'; fi

# ---- d: the PyTorch peer --------------------------------------------------------------------------
if [ -z "$python" ] || ! "$python" -c 'import torch' >/dev/null 2>&1; then
    skip peer-ops "no PyTorch in ${python:-no python}"
else
    peer_device=$($dry_run && echo cpu || echo cuda)
    stage peer-ops "$(lim 90 30)" "$python" "$root/bench/peer/ops_pytorch.py" --device "$peer_device" --size "$size" --json "$out/peer-ops.json"
    if "$python" -c 'import diffusers' >/dev/null 2>&1 || [ -d "$root/.peer/diffusers/src" ]; then
        PYTHONPATH="$root/.peer/diffusers/src${PYTHONPATH:+:$PYTHONPATH}" \
            stage peer-unet "$(lim 120 40)" "$python" "$root/bench/peer/unet_pytorch.py" --latent "$latent" --runs 30
        cp "$out/peer-unet.log" "$out/peer-unet.json" 2>/dev/null || true
    else
        skip peer-unet "diffusers is not importable (carry its source as .peer/diffusers/src)"
    fi
fi

# ---- e: profile ------------------------------------------------------------------------------------
side=$((latent * 8))
stage profile-unet "$(lim 150 45)" "${turbojet[@]}" profile --backend cuda --component unet --synthetic "$size" --width "$side" --height "$side" \
    --warmup 1 --json "$out/profile-unet.json"

# ---- f: soak ---------------------------------------------------------------------------------------
stage soak "$(lim 120 45)" "$java" "${jvm[@]}" -Xmx16g -cp "$benchmarks" dev.turbojet.bench.Soak --backend cuda --size "$size" \
    --latent "$latent" --generations "$loops" --json "$out/soak.json"

# ---- summary ---------------------------------------------------------------------------------------
{
    printf '{"started": %s, "mode": "%s", "commit": %s, "seconds": %d,\n "machine": %s,\n "stages": [\n' \
        "$(json_string "$started")" "$($dry_run && echo dry-run || echo device)" \
        "$(json_string "$(git rev-parse HEAD 2>/dev/null || echo unknown)")" "$((SECONDS - t0))" \
        "$(json_string "$(sed -n 2p "$out/machine.txt")")"
    sed '$!s/$/,/; s/^/  /' "$out/stages.jsonl"
    printf ' ]}\n'
} > "$out/summary.json"
failed=$(grep -c '"status": "\(failed\|timeout\)"' "$out/stages.jsonl")
log "done in $((SECONDS - t0))s: $(grep -c '"status": "ok"' "$out/stages.jsonl") ok, $failed failed or timed out, $(grep -c '"status": "skipped"' "$out/stages.jsonl") skipped; $out/summary.json"
[ "$failed" -eq 0 ]

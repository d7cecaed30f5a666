#!/usr/bin/env bash
# Builds turbojet's CUDA emulator with g++ (see README.md):
#   build.sh libs OUT_DIR                  libcuda.so.1, libcublasLt.so.13, libcudnn.so.9 and the self tests
#   build.sh kernels OUT_DIR SRC_DIR MAIN [RESOURCES]
#                                          SRC_DIR/MAIN.cu compiled for the host into OUT_DIR/kernels/MAIN.so;
#                                          RESOURCES (ptxas's register / shared memory table of the real
#                                          build, see kernels/build-kernels.sh) is copied beside it
# Needs g++ and NVIDIA's headers (nvidia-headers.sh). When either is missing it writes the reason to
# OUT_DIR/UNAVAILABLE and exits 0, so the build goes on and the emulated tests skip with that reason.
# Each output is rebuilt only when its sources, flags or compiler changed. TJEMU_ONLY="libcublasLt.so.13 ..."
# restricts `libs` to those libraries and to the self tests whose name starts with their stem
# (driver_*, cublaslt_*, cudnn_*, device_*).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mode=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
cxx=${CXX:-g++}

unavailable() {
    echo "[cuda-emulator] not built: $1"
    echo "$1" > "$out/UNAVAILABLE"
    exit 0
}
command -v "$cxx" >/dev/null 2>&1 || unavailable "no C++ compiler ($cxx) to build the CUDA emulator"
includes=$("$here/nvidia-headers.sh" "$out/nvidia-headers" 2>"$out/.headers.err") || unavailable "$(cat "$out/.headers.err")"
rm -f "$out/UNAVAILABLE" "$out/.headers.err"
read -r -a inc <<< "$includes"
cxxflags=(-std=c++17 -O2 -g -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -I"$here/common" -I"$here/device" "${inc[@]}")

# up_to_date OUTPUT FILES... : true when OUTPUT exists and its stamp matches the inputs' hash.
stamp_of() { (cat "$@"; echo "${cxxflags[*]}"; "$cxx" --version) | sha256sum | cut -d' ' -f1; }
up_to_date() { local o=$1; shift; [ -f "$o" ] && [ -f "$o.sha256" ] && [ "$(cat "$o.sha256")" = "$(stamp_of "$@")" ]; }
mark() { local o=$1; shift; stamp_of "$@" > "$o.sha256"; }

shopt -s nullglob
common_src=()  # common/ is header-only: state lives in the driver
common_hdr=("$here"/common/*.h)

# library SONAME SRC_DIR [LINK...]: one shared library from SRC_DIR/*.cpp plus common/.
wanted() { [ -z "${TJEMU_ONLY:-}" ] || case " $TJEMU_ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
stem_of() { case "$1" in driver_*|device_*) echo libcuda.so.1 ;; cublaslt_*) echo libcublasLt.so.13 ;; cudnn_*) echo libcudnn.so.9 ;; *) echo other ;; esac; }

library() {
    local name=$1 dir=$2; shift 2
    wanted "$name" || return 0
    local srcs=("$dir"/*.cpp)
    [ ${#srcs[@]} -gt 0 ] || { echo "[cuda-emulator] $name: no sources yet"; return 0; }
    local inputs=("${srcs[@]}" "$dir"/*.h "${common_src[@]}" "${common_hdr[@]}")
    if up_to_date "$out/$name" "${inputs[@]}"; then return 0; fi
    echo "[cuda-emulator] $cxx -shared -o $out/$name"
    "$cxx" "${cxxflags[@]}" -shared -Wl,--no-undefined -Wl,-soname,"$name" -Wl,-rpath,'$ORIGIN' -o "$out/$name.tmp" \
        "${srcs[@]}" "${common_src[@]}" -L"$out" "$@" -ldl
    mv "$out/$name.tmp" "$out/$name"
    mark "$out/$name" "${inputs[@]}"
}

# host_kernels SRC_DIR MAIN: SRC_DIR/MAIN.cu compiled for the host into OUT/kernels/MAIN.so.
host_kernels() {
    local src_dir=$1 main=$2
    mkdir -p "$out/kernels"
    local so="$out/kernels/$main.so"
    local inputs=("$src_dir"/*.cu "$src_dir"/*.h "$src_dir"/*.cuh "$here"/device/*.h "$here"/device/*.cpp "$here"/device/list-kernels.sh "$here"/common/*.h)
    up_to_date "$so" "${inputs[@]}" && return 0
    echo "[cuda-emulator] host build of $src_dir/$main.cu -> $so"
    local table="$out/kernels/.$main.table.inc"
    "$here/device/list-kernels.sh" "$cxx" "$src_dir/$main.cu" "${cxxflags[@]}" > "$table"
    "$cxx" "${cxxflags[@]}" -shared -fvisibility=hidden -DTJ_HOST_EMULATION -DTJEMU_TABLE="\"$table\"" \
        -DTJEMU_SOURCE="\"$src_dir/$main.cu\"" -DTJEMU_MODULE_NAME="\"$main\"" -I"$src_dir" \
        -o "$so.tmp" "$here"/device/*.cpp -ldl
    mv "$so.tmp" "$so"
    mark "$so" "${inputs[@]}"
}

case "$mode" in
libs)
    # The driver's table of CUresult names, generated from NVIDIA's cuda.h.
    cuda_h=""
    for flag in "${inc[@]}"; do [ -f "${flag#-I}/cuda.h" ] && { cuda_h="${flag#-I}/cuda.h"; break; }; done
    sed -n '/^typedef enum cudaError_enum/,/^} CUresult;/p' "$cuda_h" | grep -oE '^ *CUDA_(SUCCESS|ERROR_[A-Z0-9_]+)' \
        | sed 's/^ *\(.*\)$/X(\1)/' > "$out/cuda_errors.inc.tmp"
    cmp -s "$out/cuda_errors.inc.tmp" "$out/cuda_errors.inc" 2>/dev/null && rm "$out/cuda_errors.inc.tmp" \
        || mv "$out/cuda_errors.inc.tmp" "$out/cuda_errors.inc"
    cxxflags+=(-I"$out")
    library libcuda.so.1 "$here/driver"
    library libcublasLt.so.13 "$here/cublaslt" -l:libcuda.so.1
    library libcudnn.so.9 "$here/cudnn" -l:libcuda.so.1
    # The self tests' own kernels (device behaviour: barriers, shuffles, mma, faults).
    if wanted libcuda.so.1; then
        for cu in "$here"/selftest/*.cu; do host_kernels "$here/selftest" "$(basename "$cu" .cu)"; done
    fi
    mkdir -p "$out/selftest"
    libs=()
    for l in libcuda.so.1 libcublasLt.so.13 libcudnn.so.9; do [ -f "$out/$l" ] && libs+=("-l:$l"); done
    for src in "$here"/selftest/*.cpp; do
        exe="$out/selftest/$(basename "$src" .cpp)"
        wanted "$(stem_of "$(basename "$src")")" || continue
        inputs=("$src" "$here"/selftest/*.h "${common_hdr[@]}")
        up_to_date "$exe" "${inputs[@]}" && continue
        echo "[cuda-emulator] $cxx -o $exe"
        "$cxx" "${cxxflags[@]}" -I"$here/selftest" -Wl,-rpath,"$out" -o "$exe.tmp" "$src" -L"$out" "${libs[@]}" -ldl
        mv "$exe.tmp" "$exe"
        mark "$exe" "${inputs[@]}"
    done
    ;;
kernels)
    host_kernels "$(cd "$3" && pwd)" "$4"
    if [ -n "${5:-}" ] && [ -f "$5" ]; then cp "$5" "$out/kernels/$4.resources"; else rm -f "$out/kernels/$4.resources"; fi
    ;;
*)
    echo "usage: build.sh libs OUT_DIR | build.sh kernels OUT_DIR SRC_DIR MAIN" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# Prints the -I flags that find NVIDIA's own headers: cuda.h (CUDA 13 driver API), cublasLt.h
# (cuBLAS 13), cudnn.h (cuDNN 9) and, when there is one, nvrtc.h (NVRTC 13; optional, only the header
# audit uses it). Looks, in order, in $TJEMU_INCLUDE (a :-separated list), the CUDA toolkit
# ($CUDA_HOME, $CUDA_PATH, nvcc's own folder, /usr/local/cuda), /usr/include, the nvidia/*/include
# folders of pip-installed wheels, and finally NVIDIA's wheel files themselves (nvidia_cublas-13*.whl,
# nvidia_cudnn_cu13-9*.whl, nvidia_cuda_nvrtc-13*.whl under $TJEMU_WHEELS, /opt/pypi*/files,
# ~/.cache/turbojet/wheels), whose include folders it unzips into CACHE_DIR.
#   usage: nvidia-headers.sh CACHE_DIR
# Exits 1, with one line on stderr naming what is missing, when a required header cannot be found.
set -euo pipefail
cache=$1

candidates=()
IFS=: read -r -a extra <<< "${TJEMU_INCLUDE:-}"
candidates+=("${extra[@]}")
for root in "${CUDA_HOME:-}" "${CUDA_PATH:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v nvcc 2>/dev/null || echo /nonexistent/bin/nvcc)")")")" /usr/local/cuda; do
    [ -n "$root" ] && candidates+=("$root/include" "$root/targets/x86_64-linux/include")
done
candidates+=(/usr/include /usr/include/x86_64-linux-gnu)
for site in "${VIRTUAL_ENV:-/nonexistent}"/lib/python3*/site-packages /usr/local/lib/python3*/site-packages \
            /usr/lib/python3/dist-packages "$HOME"/.local/lib/python3*/site-packages; do
    for sub in cu13 cudnn cublas cuda_runtime; do candidates+=("$site/nvidia/$sub/include"); done
done

find_header() {  # NAME -> folder holding it, or nothing
    for dir in "${candidates[@]}"; do
        if [ -n "$dir" ] && [ -f "$dir/$1" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

unpack_wheel() {  # WHEEL_PREFIX INCLUDE_PATH_IN_WHEEL -> folder holding the unzipped headers
    local prefix=$1 inner=$2 wheel=""
    for dir in "${TJEMU_WHEELS:-}" /opt/pypi-more/files /opt/pypi/files "$HOME/.cache/turbojet/wheels"; do
        [ -n "$dir" ] && [ -d "$dir" ] || continue
        wheel=$(ls "$dir"/"$prefix"*.whl 2>/dev/null | sort | tail -1 || true)
        [ -n "$wheel" ] && break
    done
    [ -n "$wheel" ] || return 1
    local out="$cache/$(basename "$wheel" .whl)"
    if [ ! -d "$out/$inner" ]; then
        mkdir -p "$out"
        (cd "$out" && unzip -oq "$wheel" "$inner/*") >/dev/null
    fi
    echo "$out/$inner"
}

flags=()
missing=()
add() {  # HEADER WHEEL_PREFIX INNER [optional]
    local dir
    if dir=$(find_header "$1"); then :
    elif [ -n "$2" ] && dir=$(unpack_wheel "$2" "$3") && [ -f "$dir/$1" ]; then :
    elif [ "${4:-}" = optional ]; then return
    else missing+=("$1"); return; fi
    case " ${flags[*]:-} " in *" -I$dir "*) ;; *) flags+=("-I$dir") ;; esac
}
add cuda.h "" ""
add cublasLt.h nvidia_cublas-13 nvidia/cu13/include
add cudnn.h nvidia_cudnn_cu13-9 nvidia/cudnn/include
add nvrtc.h nvidia_cuda_nvrtc-13 nvidia/cu13/include optional
if [ ${#missing[@]} -gt 0 ]; then
    echo "NVIDIA headers not found: ${missing[*]} (looked in TJEMU_INCLUDE, the CUDA toolkit, /usr/include, pip site-packages and the nvidia_cublas-13 / nvidia_cudnn_cu13-9 wheels under TJEMU_WHEELS, /opt/pypi*/files, ~/.cache/turbojet/wheels)" >&2
    exit 1
fi
echo "${flags[*]}"

#!/usr/bin/env bash
# Compiles src/main/cuda/turbojet.cu into one fatbin: SASS for sm_80, sm_86, sm_89, sm_90a and
# compute_80 PTX (which the driver JIT-compiles for newer GPUs).
#   usage: build-kernels.sh SOURCE_DIR OUTPUT_FATBIN
# Finds nvcc in $NVCC, on PATH, in $CUDA_HOME/bin, or /usr/local/cuda/bin. Without nvcc it prints a
# notice and builds nothing: the Java side then compiles the same sources with NVRTC at run time.
# Skips the compile when the sources and flags are unchanged since the last build. Beside the fatbin it
# writes OUTPUT_FATBIN.resources, ptxas's register and static shared memory use per kernel and
# architecture ("arch kernel registers shared_bytes" lines), which the CUDA emulator checks launches against.
set -euo pipefail
src_dir=$1
out=$2

nvcc_bin=""
for candidate in "${NVCC:-}" "$(command -v nvcc || true)" "${CUDA_HOME:+$CUDA_HOME/bin/nvcc}" /usr/local/cuda/bin/nvcc; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then nvcc_bin=$candidate; break; fi
done
if [ -z "$nvcc_bin" ]; then
    echo "[kernels] nvcc not found (NVCC, PATH, CUDA_HOME, /usr/local/cuda): no fatbin built; kernels will be compiled with NVRTC at run time."
    rm -f "$out"
    exit 0
fi

flags=(-std=c++17 -O3 --threads 2 -Xptxas -warn-spills -Xptxas -v
       -gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86
       -gencode arch=compute_89,code=sm_89 -gencode arch=compute_90a,code=sm_90a
       -gencode arch=compute_80,code=compute_80)
stamp="$out.sha256"
hash=$( (cat "$src_dir"/*.cu "$src_dir"/*.cuh; echo "${flags[*]}"; "$nvcc_bin" --version) | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ -f "$out.resources" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
    echo "[kernels] $out is up to date"
    exit 0
fi
mkdir -p "$(dirname "$out")"
echo "[kernels] $nvcc_bin -fatbin ${flags[*]} (a minute or two)"
start=$(date +%s)
"$nvcc_bin" -fatbin "${flags[@]}" -I "$src_dir" -o "$out.tmp" "$src_dir/turbojet.cu" 2> "$out.ptxas.log" \
    || { cat "$out.ptxas.log" >&2; exit 1; }
grep -v '^ptxas info' "$out.ptxas.log" | grep -v '^    [0-9]* bytes stack frame' >&2 || true  # warnings (spills) stay visible
awk '/Compiling entry function/ { gsub(/\047/, ""); kernel = $7; arch = $9 }
     /Used [0-9]+ registers/ { smem = 0; for (i = 1; i <= NF; i++) if ($i == "smem" || $i == "smem,") smem = $(i - 2);
                               print arch, kernel, $5, smem }' "$out.ptxas.log" | sort > "$out.resources"
rm -f "$out.ptxas.log"
mv "$out.tmp" "$out"
echo "$hash" > "$stamp"
echo "[kernels] built $out ($(stat -c %s "$out") bytes) in $(( $(date +%s) - start )) s"

#!/usr/bin/env bash
# Prints TJEMU_KERNEL(name) for every extern "C" __global__ function of a CUDA source, found in its
# preprocessed text (macros such as TJ_F16_BF16 expanded), for kernel_module.cpp's table.
#   usage: list-kernels.sh CXX SOURCE.cu CXXFLAGS...
set -euo pipefail
cxx=$1 src=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
"$cxx" "$@" -E -x c++ -DTJ_HOST_EMULATION -DTJEMU_LIST_KERNELS -include "$here/tjemu_device.h" -I"$(dirname "$src")" "$src" \
    | tr '\n' ' ' | grep -oE 'extern "C" +__tjemu_global__ +void +[A-Za-z_][A-Za-z0-9_]*' \
    | awk '{print "TJEMU_KERNEL(" $NF ")"}' | sort -u

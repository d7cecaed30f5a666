// One host build of a CUDA translation unit (TJEMU_SOURCE, e.g. kernels/src/main/cuda/turbojet.cu)
// for the emulator: the source compiled with the device environment of tjemu_device.h, and the table
// of its extern "C" __global__ functions (TJEMU_TABLE, written by list-kernels.sh) exported through
// tjemu_kernel_library().
#include "tjemu_device.h"

#include TJEMU_SOURCE

#include "registry.h"

namespace tjemu {
int run_grid(const KernelInfo* kernel, Dim3 grid, Dim3 block, size_t dynamic_shared, void* const* args, GridFault* fault);
}

namespace {

#define TJEMU_KERNEL(name) ::tjemu::dev::Kernel<&name>::info(#name),
const tjemu::KernelInfo kernels[] = {
#include TJEMU_TABLE
};
#undef TJEMU_KERNEL

const tjemu::KernelLibrary library{tjemu::KERNEL_ABI_VERSION, TJEMU_MODULE_NAME, (int)(sizeof kernels / sizeof kernels[0]),
                                   kernels, &tjemu::run_grid};

}  // namespace

extern "C" __attribute__((visibility("default"))) const tjemu::KernelLibrary* tjemu_kernel_library() { return &library; }

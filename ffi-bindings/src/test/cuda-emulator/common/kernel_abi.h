// The ABI between the emulated driver (libcuda.so.1) and a host build of CUDA kernels
// (OUT/kernels/NAME.so, see device/). A kernel library exports tjemu_kernel_library(); the driver
// dlopens every library in its kernels/ folder, and cuModuleGetFunction finds a kernel by name there
// when the loaded module image names it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tjemu {

constexpr int KERNEL_ABI_VERSION = 1;
constexpr int MAX_KERNEL_PARAMS = 32;

/** One kernel parameter as the host compiler sees its C++ type. */
struct ParamInfo {
    char kind;       // 'p' pointer, 'i' signed integer, 'u' unsigned integer, 'f' floating point, 's' struct
    uint8_t size;    // sizeof
    uint8_t align;   // alignof
    char pointee;    // for pointers: 'f' float, 'd' double, 'i' 4-byte int, 'l' 8-byte int, '2' 16-bit storage, '1' byte, '?' other
};

struct KernelInfo {
    const char* name;
    int param_count;
    ParamInfo params[MAX_KERNEL_PARAMS];
    void (*thread_main)(void* const* args);  // the body of one CUDA thread, arguments as cuLaunchKernel's kernelParams
};

struct Dim3 {
    unsigned x, y, z;
};

/** Why a grid stopped. */
struct GridFault {
    enum Kind { NONE = 0, MEMORY = 1, ARITHMETIC = 2, SYNC = 3, OTHER = 4 } kind;
    uintptr_t address;  // MEMORY: the faulting address
    Dim3 block, thread; // where
    char message[768];
};

struct KernelLibrary {
    int abi_version;
    const char* module;  // the .cu it was built from, e.g. "turbojet"
    int kernel_count;
    const KernelInfo* kernels;
    /**
     * Runs every block of the grid (blocks in order, each block's threads as fibers that switch at
     * __syncthreads and warp-collective operations). Returns 0, or 1 with `fault` filled.
     */
    int (*run_grid)(const KernelInfo* kernel, Dim3 grid, Dim3 block, size_t dynamic_shared, void* const* args,
                    GridFault* fault);
};

}  // namespace tjemu

extern "C" const tjemu::KernelLibrary* tjemu_kernel_library();

// The CUDA C++ device environment, for compiling CUDA kernels with g++ for the emulator.
//
// Included before a .cu file compiled for the host (kernel_module.cpp), it supplies what nvcc
// would: the execution-space keywords, threadIdx / blockIdx / blockDim / gridDim, __shared__
// memory, __syncthreads, warp shuffles and votes, atomics, the fast-math intrinsics, and the PTX
// instructions a kernel writes as inline asm (tjemu::ptx, used by the kernels' TJ_HOST_EMULATION
// branches). Semantics follow the CUDA C++ Programming Guide (built-in variables, synchronisation,
// warp shuffle and vote functions) and the PTX ISA (cvt, mma.sync fragment layouts), not any
// particular kernel: runtime.cpp runs each CUDA thread as a fiber and implements the collective
// operations with the checks the guide implies (all threads of a block reach __syncthreads, every
// lane named in a mask takes part in the same warp operation, no lane of the mask has exited).
//
// Not supported: dynamic shared memory (extern __shared__), cooperative groups, clusters, texture.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernel_abi.h"

// ---- execution spaces and qualifiers -------------------------------------------------------------

#ifdef TJEMU_LIST_KERNELS
#define __global__ __tjemu_global__  // list-kernels.sh greps the preprocessed source for this marker
#else
#define __global__
#endif
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
// One copy per block: the threads of a block run as fibers on one OS thread, one block at a time.
#define __shared__ static thread_local
#define __constant__ static

struct uint3 {
    unsigned x, y, z;
};
struct dim3 {
    unsigned x, y, z;
};

namespace tjemu::dev {

/** The built-in variables of the running CUDA thread. */
struct Coords {
    uint3 thread, block;
    dim3 block_dim, grid_dim;
};

extern thread_local const Coords* coords;

void syncthreads();
void syncwarp(unsigned mask);
/** A warp collective: every lane in `mask` passes `bytes` of input and receives `bytes` of output. */
enum class Shuffle { IDX, UP, DOWN, XOR };
void shuffle(Shuffle mode, unsigned mask, void* value, int bytes, int lane_arg, int width);
unsigned vote_ballot(unsigned mask, bool predicate);
/** Fails the grid with a message (an unsupported use of the device environment). */
[[noreturn]] void fail(const char* message);

}  // namespace tjemu::dev

#define threadIdx (::tjemu::dev::coords->thread)
#define blockIdx (::tjemu::dev::coords->block)
#define blockDim (::tjemu::dev::coords->block_dim)
#define gridDim (::tjemu::dev::coords->grid_dim)
static constexpr int warpSize = 32;

inline void __syncthreads() { ::tjemu::dev::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { ::tjemu::dev::syncwarp(mask); }

template <typename T>
inline T tjemu_shfl(::tjemu::dev::Shuffle mode, unsigned mask, T var, int lane, int width) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8, "__shfl_*_sync takes 4- or 8-byte types");
    ::tjemu::dev::shuffle(mode, mask, &var, (int)sizeof(T), lane, width);
    return var;
}
template <typename T> inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32) {
    return tjemu_shfl(::tjemu::dev::Shuffle::IDX, mask, var, srcLane, width);
}
template <typename T> inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    return tjemu_shfl(::tjemu::dev::Shuffle::UP, mask, var, (int)delta, width);
}
template <typename T> inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    return tjemu_shfl(::tjemu::dev::Shuffle::DOWN, mask, var, (int)delta, width);
}
template <typename T> inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32) {
    return tjemu_shfl(::tjemu::dev::Shuffle::XOR, mask, var, laneMask, width);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) { return ::tjemu::dev::vote_ballot(mask, predicate != 0); }
inline int __any_sync(unsigned mask, int predicate) { return ::tjemu::dev::vote_ballot(mask, predicate != 0) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return (::tjemu::dev::vote_ballot(mask, predicate != 0) & mask) == mask; }

// ---- atomics (blocks may run on several OS threads) ----------------------------------------------

template <typename T> inline T atomicAdd(T* address, T val) { return __atomic_fetch_add(address, val, __ATOMIC_RELAXED); }
inline float atomicAdd(float* address, float val) {
    float old, next;
    __atomic_load(address, &old, __ATOMIC_RELAXED);
    do {
        next = old + val;
    } while (!__atomic_compare_exchange(address, &old, &next, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return old;
}
template <typename T> inline T atomicMax(T* address, T val) {
    T old = __atomic_load_n(address, __ATOMIC_RELAXED);
    while (old < val && !__atomic_compare_exchange_n(address, &old, val, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <typename T> inline T atomicMin(T* address, T val) {
    T old = __atomic_load_n(address, __ATOMIC_RELAXED);
    while (old > val && !__atomic_compare_exchange_n(address, &old, val, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <typename T> inline T atomicExch(T* address, T val) { return __atomic_exchange_n(address, val, __ATOMIC_RELAXED); }
template <typename T> inline T atomicCAS(T* address, T compare, T val) {
    __atomic_compare_exchange_n(address, &compare, val, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

// ---- arithmetic ---------------------------------------------------------------------------------

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }

// The intrinsics are approximations on a GPU (__expf has ~2 ulp + range-dependent error); the
// emulator computes them exactly, which is within the documented error bounds.
inline float __expf(float x) { return expf(x); }
inline float __exp10f(float x) { return exp10f(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __frcp_rn(float x) { return 1.f / x; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
inline float __saturatef(float x) { return x != x ? 0.f : fminf(fmaxf(x, 0.f), 1.f); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __int_as_float(int x) { float f; std::memcpy(&f, &x, 4); return f; }
inline int __float_as_int(float f) { int x; std::memcpy(&x, &f, 4); return x; }
inline float __uint_as_float(unsigned x) { float f; std::memcpy(&f, &x, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned x; std::memcpy(&x, &f, 4); return x; }
inline int __float2int_rn(float f) { return (int)nearbyintf(f); }
inline int __float2int_rz(float f) { return (int)f; }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __ffs(int x) { return __builtin_ffs(x); }

// ---- PTX instructions the kernels write as inline asm ------------------------------------------

namespace tjemu::ptx {

/** cvt.f32.f16: exact. */
float cvt_f32_f16(unsigned short h);
/** cvt.rn.f16.f32: round to nearest even, subnormals kept, NaN -> canonical NaN. */
unsigned short cvt_rn_f16_f32(float f);
/** cvt.rn.bf16.f32: round to nearest even. */
unsigned short cvt_rn_bf16_f32(float f);

/**
 * mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.{f16,bf16}.f32 d, a, b, c: warp-wide
 * D[16x8] = A[16x16] * B[16x8] + C, each lane holding the fragments the PTX ISA assigns it
 * ("Matrix Fragments for mma.m16n8k16 with floating point type"); `bf16` picks the input format.
 */
void mma_m16n8k16_f32(float d[4], const unsigned a[4], const unsigned b[2], const float c[4], bool bf16);

}  // namespace tjemu::ptx

// Shared helpers for turbojet's kernels: fp16/bf16 storage types, conversions and reductions.
// Storage is fp16 or bf16; every kernel does its arithmetic in fp32.
// No system headers: NVRTC compiles these sources as they are, with no CUDA include path.
// TJ_HOST_EMULATION: the host build for turbojet's CUDA emulator (ffi-bindings/src/test/cuda-emulator),
// where each PTX instruction below comes from the emulator's tjemu::ptx instead of inline asm.
#pragma once

namespace tj {

// 16-bit storage types, distinct so overloads can pick the conversion. Conversions use the PTX
// cvt instructions (round to nearest even); bf16 -> f32 is exact (the high half of a float).
struct f16 { unsigned short bits; };
struct bf16 { unsigned short bits; };

__device__ __forceinline__ float to_f32(float x) { return x; }
__device__ __forceinline__ float to_f32(f16 x) {
#ifdef TJ_HOST_EMULATION
    return tjemu::ptx::cvt_f32_f16(x.bits);
#else
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(x.bits));
    return f;
#endif
}
__device__ __forceinline__ float to_f32(bf16 x) { return __int_as_float(((unsigned)x.bits) << 16); }

template <typename T> __device__ __forceinline__ T from_f32(float x);
template <> __device__ __forceinline__ float from_f32<float>(float x) { return x; }
template <> __device__ __forceinline__ f16 from_f32<f16>(float x) {
    f16 h;
#ifdef TJ_HOST_EMULATION
    h.bits = tjemu::ptx::cvt_rn_f16_f32(x);
#else
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.bits) : "f"(x));
#endif
    return h;
}
template <> __device__ __forceinline__ bf16 from_f32<bf16>(float x) {
    bf16 h;
#ifdef TJ_HOST_EMULATION
    h.bits = tjemu::ptx::cvt_rn_bf16_f32(x);
#else
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h.bits) : "f"(x));
#endif
    return h;
}

// Two 16-bit values in one 32-bit register, lo in the low half (the mma fragment order).
template <typename T> __device__ __forceinline__ unsigned pack2(T lo, T hi) {
    return (unsigned)lo.bits | ((unsigned)hi.bits << 16);
}

__device__ __forceinline__ float neg_inf() { return __int_as_float(0xff800000u); }

__device__ __forceinline__ float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Sum over the whole block (blockDim.x a multiple of 32, at most 1024); every thread gets the result.
__device__ __forceinline__ float block_sum(float v) {
    __shared__ float partial[32];
    __shared__ float total;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_sum(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float w = lane < (int)(blockDim.x >> 5) ? partial[lane] : 0.f;
        w = warp_sum(w);
        if (lane == 0) total = w;
    }
    __syncthreads();
    float result = total;
    __syncthreads();  // partial/total may be reused by the next call
    return result;
}

__device__ __forceinline__ float block_max(float v) {
    __shared__ float partial[32];
    __shared__ float total;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_max(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float w = lane < (int)(blockDim.x >> 5) ? partial[lane] : neg_inf();
        w = warp_max(w);
        if (lane == 0) total = w;
    }
    __syncthreads();
    float result = total;
    __syncthreads();
    return result;
}

__device__ __forceinline__ float silu(float x) { return x / (1.f + __expf(-x)); }

// Exact GELU, as torch.nn.functional.gelu(x) with approximate='none'.
__device__ __forceinline__ float gelu_erf(float x) { return 0.5f * x * (1.f + erff(x * 0.70710678118654752f)); }

}  // namespace tj

// Declares the extern "C" entry points NAME_f16 and NAME_bf16, each calling the device function
// template NAME##_impl<T>. PARAMS is a function-like macro giving the parameter list for a type T,
// ARGS the argument list passed on, e.g.
//   #define SCALE_PARAMS(T) (T* y, const T* x, float s, long long n)
//   TJ_F16_BF16(scale, SCALE_PARAMS, (y, x, s, n))
#define TJ_F16_BF16(NAME, PARAMS, ARGS)                                                   \
    extern "C" __global__ void NAME##_f16 PARAMS(tj::f16) { NAME##_impl<tj::f16> ARGS; }   \
    extern "C" __global__ void NAME##_bf16 PARAMS(tj::bf16) { NAME##_impl<tj::bf16> ARGS; }

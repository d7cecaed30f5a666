// Kernels for the device self test (device_runtime.cpp): each exercises one rule of the CUDA C++
// Programming Guide or the PTX ISA that the emulator's device environment must follow.
#include <cstdint>

// Built-in variables: out[linear global thread id] = packed (block, thread, dims).
extern "C" __global__ void t_indices(unsigned* out) {
    const unsigned bid = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
    const unsigned tid = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
    const unsigned threads = blockDim.x * blockDim.y * blockDim.z;
    unsigned* o = out + 4 * (bid * threads + tid);
    o[0] = blockIdx.x | blockIdx.y << 8 | blockIdx.z << 16;
    o[1] = threadIdx.x | threadIdx.y << 8 | threadIdx.z << 16;
    o[2] = blockDim.x | blockDim.y << 8 | blockDim.z << 16;
    o[3] = gridDim.x | gridDim.y << 8 | gridDim.z << 16;
}

// __syncthreads: every thread writes its slot, then reads its neighbour's (written by another thread).
extern "C" __global__ void t_barrier(int* out, int rounds) {
    __shared__ int s[1024];
    const int n = blockDim.x, t = threadIdx.x;
    int v = t + 1000 * blockIdx.x;
    for (int r = 0; r < rounds; ++r) {
        s[t] = v;
        __syncthreads();
        v = s[(t + 1) % n] + 1;
        __syncthreads();
    }
    out[blockIdx.x * n + t] = v;
}

// Warp shuffles: each lane contributes value = 100 * lane + blockIdx.x.
extern "C" __global__ void t_shuffle(int* out, int mode, int arg, int width) {
    const int lane = threadIdx.x & 31;
    const int v = 100 * lane + (int)blockIdx.x;
    int r = 0;
    switch (mode) {
        case 0: r = __shfl_sync(0xffffffffu, v, arg, width); break;
        case 1: r = __shfl_up_sync(0xffffffffu, v, (unsigned)arg, width); break;
        case 2: r = __shfl_down_sync(0xffffffffu, v, (unsigned)arg, width); break;
        case 3: r = __shfl_xor_sync(0xffffffffu, v, arg, width); break;
    }
    out[blockIdx.x * blockDim.x + threadIdx.x] = r;
}

// A tree reduction with __shfl_xor_sync (every lane ends with the warp's sum) and a ballot.
extern "C" __global__ void t_reduce(float* sums, unsigned* ballots, const float* x) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = x[i];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    sums[i] = v;
    ballots[i] = __ballot_sync(0xffffffffu, x[i] > 0.f);
}

// mma.sync m16n8k16 (f16 or bf16 inputs, f32 accumulators): each lane loads its fragments from
// row-major A [16x16], B [16x8] (element (k, n) at k * 8 + n) and C [16x8] as the PTX ISA assigns them,
// and stores D the same way.
extern "C" __global__ void t_mma(float* d, const unsigned short* a, const unsigned short* b, const float* c, int bf16) {
    const int lane = threadIdx.x, g = lane >> 2, t = lane & 3;
    unsigned ra[4], rb[2];
    for (int r = 0; r < 4; ++r) {
        const int i = 2 * r;  // elements a_i and a_{i+1} share register r, a_i in the low half
        const int row = (i < 2 || (i >= 4 && i < 6)) ? g : g + 8;
        const int col = t * 2 + (i >= 4 ? 8 : 0);
        ra[r] = (unsigned)a[row * 16 + col] | (unsigned)a[row * 16 + col + 1] << 16;
    }
    for (int r = 0; r < 2; ++r) {
        const int row = t * 2 + (r ? 8 : 0);
        rb[r] = (unsigned)b[row * 8 + g] | (unsigned)b[(row + 1) * 8 + g] << 16;
    }
    float rc[4], rd[4];
    for (int i = 0; i < 4; ++i) rc[i] = c[(i < 2 ? g : g + 8) * 8 + t * 2 + (i & 1)];
    tjemu::ptx::mma_m16n8k16_f32(rd, ra, rb, rc, bf16 != 0);
    for (int i = 0; i < 4; ++i) d[(i < 2 ? g : g + 8) * 8 + t * 2 + (i & 1)] = rd[i];
}

// Faults the emulator must report (each leaves the context unusable, as on a GPU).
extern "C" __global__ void t_write(float* p, long long index) { if (threadIdx.x == 0 && blockIdx.x == 0) p[index] = 1.f; }
extern "C" __global__ void t_divide(int* out, int divisor) { out[threadIdx.x] = 1000 / divisor; }
extern "C" __global__ void t_exit_before_barrier(int* out) {
    if (threadIdx.x < 16) return;  // some threads leave ...
    __syncthreads();               // ... the rest wait for them
    out[threadIdx.x] = 1;
}
extern "C" __global__ void t_exit_before_shuffle(int* out) {
    if (threadIdx.x == 5) return;
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, (int)threadIdx.x, 1);
}
extern "C" __global__ void t_divergent_warp(int* out) {
    int v = (int)threadIdx.x;
    if (threadIdx.x < 16) v = __shfl_xor_sync(0xffffffffu, v, 1);
    else v = __shfl_down_sync(0xffffffffu, v, 1);
    out[threadIdx.x] = v;
}

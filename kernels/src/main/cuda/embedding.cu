// Embeddings.
//
//   timestep_embedding: diffusers get_timestep_embedding(t, dim, flip_sin_to_cos=True,
//     downscale_freq_shift=0, scale=1, max_period=10000):
//       half = dim / 2;  freq[i] = exp(-ln(10000) * i / half)   (i = 0 .. half-1)
//       arg[n,i] = t[n] * freq[i]
//       y[n] = [cos(arg[n, :]) | sin(arg[n, :])]   (+ one zero column when dim is odd)
//     t is fp32 (timesteps up to 999 need more than fp16's precision); y is fp16/bf16.
//   embedding: y[r, :] = table[ids[r], :]   (torch.nn.Embedding), ids int32 or int64;
//     out-of-range ids write zeros (the host checks ids when it can).
#include "common.cuh"

template <typename T>
__device__ void timestep_embedding_impl(T* y, const float* t, int n, int dim) {
    const int half = dim / 2;
    const long long total = (long long)n * dim;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
        const int row = (int)(i / dim), col = (int)(i % dim);
        float v = 0.f;
        if (col < 2 * half) {
            const int k = col < half ? col : col - half;
            // logf(10000) = 9.210340371976184
            const float arg = t[row] * expf(-9.210340371976184f * (float)k / (float)half);
            v = col < half ? cosf(arg) : sinf(arg);
        }
        y[i] = tj::from_f32<T>(v);
    }
}

template <typename T, typename I>
__device__ void embedding_impl(T* y, const T* table, const I* ids, int rows, int dim, int vocab) {
    const long long total = (long long)rows * dim;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < total; i += (long long)gridDim.x * blockDim.x) {
        const long long id = (long long)ids[i / dim];
        y[i] = (id >= 0 && id < vocab) ? table[id * dim + i % dim] : tj::from_f32<T>(0.f);
    }
}

template <typename T> __device__ void embedding_i32_impl(T* y, const T* table, const int* ids, int rows, int dim, int vocab) {
    embedding_impl<T, int>(y, table, ids, rows, dim, vocab);
}
template <typename T> __device__ void embedding_i64_impl(T* y, const T* table, const long long* ids, int rows, int dim, int vocab) {
    embedding_impl<T, long long>(y, table, ids, rows, dim, vocab);
}

#define TIMESTEP_PARAMS(T) (T* y, const float* t, int n, int dim)
#define EMBEDDING_I32_PARAMS(T) (T* y, const T* table, const int* ids, int rows, int dim, int vocab)
#define EMBEDDING_I64_PARAMS(T) (T* y, const T* table, const long long* ids, int rows, int dim, int vocab)
TJ_F16_BF16(timestep_embedding, TIMESTEP_PARAMS, (y, t, n, dim))
TJ_F16_BF16(embedding_i32, EMBEDDING_I32_PARAMS, (y, table, ids, rows, dim, vocab))
TJ_F16_BF16(embedding_i64, EMBEDDING_I64_PARAMS, (y, table, ids, rows, dim, vocab))

// LayerNorm over the last dimension of token-major activations [rows, C].
//
//   torch.nn.LayerNorm(C, eps)(x):
//     mean = 1/C sum_c x[r,c];  var = 1/C sum_c (x[r,c] - mean)^2
//     y[r,c] = (x[r,c] - mean) / sqrt(var + eps) * gamma[c] + beta[c]
// One block per row, two passes in fp32.
#include "common.cuh"

template <typename T>
__device__ void layer_norm_impl(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ gamma,
                                const T* __restrict__ beta, int cols, float eps) {
    const long long row = (long long)blockIdx.x * cols;
    float sum = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) sum += tj::to_f32(x[row + c]);
    const float mean = tj::block_sum(sum) / (float)cols;
    float sq = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float d = tj::to_f32(x[row + c]) - mean;
        sq += d * d;
    }
    const float rstd = rsqrtf(tj::block_sum(sq) / (float)cols + eps);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float v = (tj::to_f32(x[row + c]) - mean) * rstd * tj::to_f32(gamma[c]) + tj::to_f32(beta[c]);
        y[row + c] = tj::from_f32<T>(v);
    }
}

#define LAYER_NORM_PARAMS(T) (T* y, const T* x, const T* gamma, const T* beta, int cols, float eps)
TJ_F16_BF16(layer_norm, LAYER_NORM_PARAMS, (y, x, gamma, beta, cols, eps))

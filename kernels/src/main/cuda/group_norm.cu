// GroupNorm over NHWC activations, optionally followed by SiLU.
//
//   torch.nn.GroupNorm(G, C, eps)(x) [then torch.nn.functional.silu], with x stored NHWC:
//   for batch n and group g (channels [g*C/G, (g+1)*C/G)):
//     mean = 1/(HW*C/G) * sum_{hw, c in g} x[n,hw,c]
//     var  = 1/(HW*C/G) * sum_{hw, c in g} (x[n,hw,c] - mean)^2          (biased, like PyTorch)
//     y[n,hw,c] = (x[n,hw,c] - mean) / sqrt(var + eps) * gamma[c] + beta[c]
//     y = silu(y) = y * sigmoid(y)                                        when silu != 0
// One block per (n, g); two passes over the group in fp32 (mean, then centred variance).
#include "common.cuh"

template <typename T>
__device__ void group_norm_impl(T* __restrict__ y, const T* __restrict__ x, const T* __restrict__ gamma,
                                const T* __restrict__ beta, int hw, int channels, int groups, float eps, int silu) {
    const int n = blockIdx.x / groups, g = blockIdx.x % groups;
    const int cpg = channels / groups;
    const long long count = (long long)hw * cpg;
    const long long base = (long long)n * hw * channels + (long long)g * cpg;

    float sum = 0.f;
    for (long long i = threadIdx.x; i < count; i += blockDim.x) {
        sum += tj::to_f32(x[base + (i / cpg) * channels + i % cpg]);
    }
    const float mean = tj::block_sum(sum) / (float)count;

    float sq = 0.f;
    for (long long i = threadIdx.x; i < count; i += blockDim.x) {
        const float d = tj::to_f32(x[base + (i / cpg) * channels + i % cpg]) - mean;
        sq += d * d;
    }
    const float rstd = rsqrtf(tj::block_sum(sq) / (float)count + eps);

    for (long long i = threadIdx.x; i < count; i += blockDim.x) {
        const int c = g * cpg + (int)(i % cpg);
        const long long at = base + (i / cpg) * channels + i % cpg;
        float v = (tj::to_f32(x[at]) - mean) * rstd * tj::to_f32(gamma[c]) + tj::to_f32(beta[c]);
        if (silu) v = tj::silu(v);
        y[at] = tj::from_f32<T>(v);
    }
}

#define GROUP_NORM_PARAMS(T) \
    (T* y, const T* x, const T* gamma, const T* beta, int hw, int channels, int groups, float eps, int silu)
TJ_F16_BF16(group_norm, GROUP_NORM_PARAMS, (y, x, gamma, beta, hw, channels, groups, eps, silu))

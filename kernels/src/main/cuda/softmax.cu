// Softmax over the last dimension of [rows, cols], in fp32.
//
//   torch.softmax(x, dim=-1):  y[r,c] = exp(x[r,c] - max_c x[r,c]) / sum_c exp(x[r,c] - max_c x[r,c])
// One block per row.
#include "common.cuh"

template <typename T>
__device__ void softmax_impl(T* __restrict__ y, const T* __restrict__ x, int cols) {
    const long long row = (long long)blockIdx.x * cols;
    float mx = tj::neg_inf();
    for (int c = threadIdx.x; c < cols; c += blockDim.x) mx = fmaxf(mx, tj::to_f32(x[row + c]));
    mx = tj::block_max(mx);
    float sum = 0.f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) sum += __expf(tj::to_f32(x[row + c]) - mx);
    const float inv = 1.f / tj::block_sum(sum);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        y[row + c] = tj::from_f32<T>(__expf(tj::to_f32(x[row + c]) - mx) * inv);
    }
}

#define SOFTMAX_PARAMS(T) (T* y, const T* x, int cols)
TJ_F16_BF16(softmax, SOFTMAX_PARAMS, (y, x, cols))

// Elementwise kernels over flat fp16/bf16 tensors (fp32 math), grid-stride loops over n elements.
//
//   add:        y = a + b                                  (torch.add, same shapes)
//   add_row:    y[r,c] = a[r,c] + v[c]                     (broadcast a [C] vector over rows: a
//                                                            per-channel bias on NHWC or token-major data)
//   add_nc:     y[n,s,c] = a[n,s,c] + v[n,c]               (a per-(batch, channel) vector over NHWC
//                                                            spatial positions: the time embedding
//                                                            added inside a ResnetBlock2D)
//   mul:        y = a * b                                  (torch.mul)
//   scale:      y = a * s                                  (tensor times a scalar)
//   silu:       y = x * sigmoid(x)                         (torch.nn.functional.silu)
//   gelu:       y = 0.5 x (1 + erf(x / sqrt(2)))           (F.gelu, approximate='none')
//   quick_gelu: y = x * sigmoid(1.702 x)                   (CLIP's QuickGELUActivation)
//   relu:       y = max(x, 0)                              (torch.relu; TAESD)
//   tanh:       y = tanh(x)                                (torch.tanh; TAESD's soft clamp)
//   geglu:      y[r,f] = h[r,f] * gelu(g[r,f]) where x[r] = [h | g], x is [rows, 2F]
//               (diffusers GEGLU: hidden_states, gate = proj(x).chunk(2, dim=-1);
//                return hidden_states * gelu(gate))
//   convert:    f32 <-> f16 / bf16 (round to nearest even)
#include "common.cuh"

#define TJ_GRID_STRIDE(i, n) \
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

template <typename T>
__device__ void add_impl(T* y, const T* a, const T* b, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tj::to_f32(a[i]) + tj::to_f32(b[i]));
}

template <typename T>
__device__ void add_row_impl(T* y, const T* a, const T* v, long long n, int cols) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tj::to_f32(a[i]) + tj::to_f32(v[i % cols]));
}

template <typename T>
__device__ void add_nc_impl(T* y, const T* a, const T* v, long long n, int spatial, int channels) {
    TJ_GRID_STRIDE(i, n) {
        const long long batch = i / ((long long)spatial * channels);
        y[i] = tj::from_f32<T>(tj::to_f32(a[i]) + tj::to_f32(v[batch * channels + i % channels]));
    }
}

template <typename T>
__device__ void mul_impl(T* y, const T* a, const T* b, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tj::to_f32(a[i]) * tj::to_f32(b[i]));
}

template <typename T>
__device__ void scale_impl(T* y, const T* a, float s, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tj::to_f32(a[i]) * s);
}

template <typename T>
__device__ void silu_impl(T* y, const T* x, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tj::silu(tj::to_f32(x[i])));
}

template <typename T>
__device__ void gelu_impl(T* y, const T* x, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tj::gelu_erf(tj::to_f32(x[i])));
}

template <typename T>
__device__ void quick_gelu_impl(T* y, const T* x, long long n) {
    TJ_GRID_STRIDE(i, n) {
        const float v = tj::to_f32(x[i]);
        y[i] = tj::from_f32<T>(v / (1.f + __expf(-1.702f * v)));
    }
}

template <typename T>
__device__ void relu_impl(T* y, const T* x, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(fmaxf(tj::to_f32(x[i]), 0.f));
}

template <typename T>
__device__ void tanh_impl(T* y, const T* x, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(tanhf(tj::to_f32(x[i])));
}

// n = rows * f output elements; x is [rows, 2f].
template <typename T>
__device__ void geglu_impl(T* y, const T* x, long long n, int f) {
    TJ_GRID_STRIDE(i, n) {
        const long long row = i / f, col = i % f;
        const float hidden = tj::to_f32(x[row * 2 * f + col]);
        const float gate = tj::to_f32(x[row * 2 * f + f + col]);
        y[i] = tj::from_f32<T>(hidden * tj::gelu_erf(gate));
    }
}

template <typename T>
__device__ void from_f32_impl(T* y, const float* x, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::from_f32<T>(x[i]);
}

template <typename T>
__device__ void to_f32_impl(float* y, const T* x, long long n) {
    TJ_GRID_STRIDE(i, n) y[i] = tj::to_f32(x[i]);
}

#define BINARY_PARAMS(T) (T* y, const T* a, const T* b, long long n)
#define UNARY_PARAMS(T) (T* y, const T* x, long long n)
#define ADD_ROW_PARAMS(T) (T* y, const T* a, const T* v, long long n, int cols)
#define ADD_NC_PARAMS(T) (T* y, const T* a, const T* v, long long n, int spatial, int channels)
#define SCALE_PARAMS(T) (T* y, const T* a, float s, long long n)
#define GEGLU_PARAMS(T) (T* y, const T* x, long long n, int f)
#define FROM_F32_PARAMS(T) (T* y, const float* x, long long n)
#define TO_F32_PARAMS(T) (float* y, const T* x, long long n)

TJ_F16_BF16(add, BINARY_PARAMS, (y, a, b, n))
TJ_F16_BF16(add_row, ADD_ROW_PARAMS, (y, a, v, n, cols))
TJ_F16_BF16(add_nc, ADD_NC_PARAMS, (y, a, v, n, spatial, channels))
TJ_F16_BF16(mul, BINARY_PARAMS, (y, a, b, n))
TJ_F16_BF16(scale, SCALE_PARAMS, (y, a, s, n))
TJ_F16_BF16(silu, UNARY_PARAMS, (y, x, n))
TJ_F16_BF16(gelu, UNARY_PARAMS, (y, x, n))
TJ_F16_BF16(quick_gelu, UNARY_PARAMS, (y, x, n))
TJ_F16_BF16(relu, UNARY_PARAMS, (y, x, n))
TJ_F16_BF16(tanh, UNARY_PARAMS, (y, x, n))
TJ_F16_BF16(geglu, GEGLU_PARAMS, (y, x, n, f))
TJ_F16_BF16(from_f32, FROM_F32_PARAMS, (y, x, n))
TJ_F16_BF16(to_f32, TO_F32_PARAMS, (y, x, n))

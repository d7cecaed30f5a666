// The emulated cuBLASLt's arithmetic, run on the emulated device thread. From 3.4.17 cublasLtMatmul()
// and 3.3.9 / 3.3.2 of the cuBLAS guide (https://docs.nvidia.com/cuda/cublas/index.html):
//   D = epilogue(alpha * (op(A) op(B)) + beta * C [+ bias])
// with every product accumulated in fp32 (the compute types emulated are all 32-bit float), the
// accumulator and C converted to the scale type (fp32) for the scaling ("The accumulator value and the
// value from matrix C are typically converted to scale type before final scaling. The value is then
// converted from scale type to the type of matrix D before storing in memory"): D is rounded once, to
// nearest even (common/fp16.h). The bias (D's rows, of D's type) is added before the activation
// ("added before applying the final postprocessing"); RELU is x := max(x, 0) (a NaN stays NaN: the
// emulator does not let an activation hide one), GELU the documented tanh approximation.
// When beta is 0, C is not read (so its NaNs do not matter, and in a device pointer mode C may be a
// dummy pointer, 13.1 release notes: "a distinct dummy pointer may still be passed").
// op(A) and op(B) are converted to fp32 once per batch, op(A) by rows and op(B) by columns, so the
// innermost loop is a contiguous dot product; large problems are split over columns of D on a few
// threads (each element is still summed in order p = 0 .. k-1, so results do not depend on it).
// The workspace of a split-K algorithm is filled with garbage (0xff bytes) first.
#include "lt_emu.h"

#include "fp16.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

namespace tjemu::lt {

namespace {

inline float load(cudaDataType_t t, const char* base, int64_t index) {
    switch (t) {
    case CUDA_R_16F: return half_to_float(reinterpret_cast<const uint16_t*>(base)[index]);
    case CUDA_R_16BF: return bf16_to_float(reinterpret_cast<const uint16_t*>(base)[index]);
    default: return reinterpret_cast<const float*>(base)[index];
    }
}

inline void store(cudaDataType_t t, char* base, int64_t index, float v) {
    switch (t) {
    case CUDA_R_16F: reinterpret_cast<uint16_t*>(base)[index] = float_to_half(v); break;
    case CUDA_R_16BF: reinterpret_cast<uint16_t*>(base)[index] = float_to_bf16(v); break;
    default: reinterpret_cast<float*>(base)[index] = v; break;
    }
}

inline int64_t at(const Matrix& m, uint64_t r, uint64_t c) { return (int64_t)r * m.row_step + (int64_t)c * m.col_step; }

inline const char* batch_base(uintptr_t ptr, const Matrix& m, int32_t b) {
    return reinterpret_cast<const char*>(ptr + (intptr_t)((int64_t)b * m.batch_stride * (int64_t)m.elem));
}

constexpr float kSqrt2OverPi = 0.7978845608028654f;

inline float activate(const Problem& p, float v) {
    if (p.relu) return v < 0.0f ? 0.0f : v;
    if (p.gelu) return 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
    return v;
}

template <typename F>
void parallel_columns(uint64_t n, uint64_t work, F&& body) {
    unsigned threads = std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
    if (work < (uint64_t(1) << 21) || n < 2) threads = 1;
    threads = (unsigned)std::min<uint64_t>(threads, n);
    if (threads <= 1) {
        body(uint64_t(0), n);
        return;
    }
    std::vector<std::thread> pool;
    const uint64_t chunk = (n + threads - 1) / threads;
    for (unsigned t = 0; t < threads; t++) {
        const uint64_t lo = t * chunk, hi = std::min(n, lo + chunk);
        if (lo < hi) pool.emplace_back([&body, lo, hi] { body(lo, hi); });
    }
    for (std::thread& t : pool) t.join();
}

float scalar_at(uintptr_t ptr, int64_t index) { return reinterpret_cast<const float*>(ptr)[index]; }

}  // namespace

void run_matmul(const Problem& p, const Operands& o) {
    if (o.workspace_bytes > 0) std::memset(reinterpret_cast<void*>(o.workspace), 0xff, o.workspace_bytes);
    const uint64_t m = p.m, n = p.n, k = p.k;
    if (m == 0 || n == 0) return;

    // alpha and beta per row and batch, by pointer mode (3.3.24).
    const bool vector_alpha = p.pointer_mode == CUBLASLT_POINTER_MODE_DEVICE_VECTOR ||
                              p.pointer_mode == CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO ||
                              p.pointer_mode == CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST;
    auto alpha_of = [&](int32_t b, uint64_t i) -> float {
        if (p.pointer_mode == CUBLASLT_POINTER_MODE_HOST) return o.alpha;
        if (!vector_alpha) return scalar_at(o.alpha_ptr, 0);
        return scalar_at(o.alpha_ptr, (int64_t)i + (int64_t)b * p.alpha_vector_batch_stride);
    };
    auto beta_of = [&](uint64_t i) -> float {
        switch (p.pointer_mode) {
        case CUBLASLT_POINTER_MODE_HOST:
        case CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST: return o.beta;
        case CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_ZERO: return 0.0f;
        case CUBLASLT_POINTER_MODE_DEVICE_VECTOR: return scalar_at(o.beta_ptr, (int64_t)i);
        default: return scalar_at(o.beta_ptr, 0);
        }
    };

    // Whether C is read at all, and, in a device pointer mode, whether it is then valid memory.
    bool read_c = o.read_c;
    if (read_c && p.pointer_mode != CUBLASLT_POINTER_MODE_HOST && p.pointer_mode != CUBLASLT_POINTER_MODE_ALPHA_DEVICE_VECTOR_BETA_HOST) {
        read_c = false;
        for (uint64_t i = 0; i < (p.pointer_mode == CUBLASLT_POINTER_MODE_DEVICE_VECTOR ? m : 1) && !read_c; i++) read_c = beta_of(i) != 0.0f;
        if (read_c) {
            const tjemu::Range c{(CUdeviceptr)(o.c + (intptr_t)p.c.first), (size_t)p.c.bytes, "C"};
            std::string bad = tjemu::check_ranges({c});
            if (!bad.empty())
                throw tjemu::DeviceFault{CUDA_ERROR_ILLEGAL_ADDRESS,
                                         "cublasLtMatmul: beta (read from the device) is non-zero, so C is read, but " + bad};
            if ((o.c != o.d || !p.c_is_d_layout) && spans_overlap(element_spans(p.c, o.c), element_spans(p.d, o.d)))
                throw tjemu::DeviceFault{CUDA_ERROR_LAUNCH_FAILED,
                                         "cublasLtMatmul: beta (read from the device) is non-zero and C overlaps D without being D "
                                         "with Ddesc's layout (in-place needs C == D and Cdesc == Ddesc)"};
        }
    }

    std::vector<float> aop(m * k), bop(n * k);
    for (int32_t b = 0; b < p.batch; b++) {
        const char* A = batch_base(o.a, p.a, b);
        const char* B = batch_base(o.b, p.b, b);
        const char* C = read_c ? batch_base(o.c, p.c, b) : nullptr;
        char* D = const_cast<char*>(batch_base(o.d, p.d, b));
        const char* bias = p.bias ? reinterpret_cast<const char*>(o.bias + (intptr_t)((int64_t)b * p.bias_batch_stride * (int64_t)p.d.elem)) : nullptr;
        // op(A) row i, op(B) column j, each k contiguous floats.
        for (uint64_t i = 0; i < m; i++)
            for (uint64_t q = 0; q < k; q++) aop[i * k + q] = load(p.a.type, A, p.trans_a ? at(p.a, q, i) : at(p.a, i, q));
        for (uint64_t j = 0; j < n; j++)
            for (uint64_t q = 0; q < k; q++) bop[j * k + q] = load(p.b.type, B, p.trans_b ? at(p.b, j, q) : at(p.b, q, j));

        auto finish = [&](uint64_t i, uint64_t j, float acc) {
            float v = alpha_of(b, i) * acc;
            if (read_c) {
                const float beta = beta_of(i);
                if (beta != 0.0f) v += beta * load(p.c.type, C, at(p.c, i, j));
            }
            if (bias) v += load(p.bias_type, bias, (int64_t)i);
            store(p.d.type, D, at(p.d, i, j), activate(p, v));
        };
        parallel_columns(n, m * n * std::max<uint64_t>(k, 1), [&](uint64_t j0, uint64_t j1) {
            uint64_t j = j0;
            for (; j + 4 <= j1; j += 4) {  // four columns at a time: independent sums, each still in order
                const float *b0 = &bop[j * k], *b1 = b0 + k, *b2 = b1 + k, *b3 = b2 + k;
                for (uint64_t i = 0; i < m; i++) {
                    const float* ai = &aop[i * k];
                    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
                    for (uint64_t q = 0; q < k; q++) {
                        const float x = ai[q];
                        s0 += x * b0[q];
                        s1 += x * b1[q];
                        s2 += x * b2[q];
                        s3 += x * b3[q];
                    }
                    finish(i, j, s0);
                    finish(i, j + 1, s1);
                    finish(i, j + 2, s2);
                    finish(i, j + 3, s3);
                }
            }
            for (; j < j1; j++) {
                const float* bj = &bop[j * k];
                for (uint64_t i = 0; i < m; i++) {
                    const float* ai = &aop[i * k];
                    float s = 0.0f;
                    for (uint64_t q = 0; q < k; q++) s += ai[q] * bj[q];
                    finish(i, j, s);
                }
            }
        });
    }
    if (o.nan) store(p.d.type, reinterpret_cast<char*>(o.d), 0, std::numeric_limits<float>::quiet_NaN());
}

}  // namespace tjemu::lt

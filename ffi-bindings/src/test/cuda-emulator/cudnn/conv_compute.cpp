// The emulated cuDNN's forward convolution arithmetic (see conv_problem.h for the formulas, taken
// from NVIDIA's CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR documentation).
//
// Direct convolution: x and w are converted to fp32 once (x to packed NDHWC, w to
// [group][t][r][s][c][k] so the innermost loop is a contiguous multiply-add over output channels),
// every product is accumulated in fp32, and each output is rounded once to y's storage type.
// When beta is 0, y is not read (cuDNN's scaling-parameter rule: with beta = 0 the output's previous
// contents, NaN included, do not matter). Large problems are split over output rows on a few threads.
#include "conv_problem.h"

#include "fp16.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

namespace tjemu::dnn {

size_t element_bytes(cudnnDataType_t t) {
    switch (t) {
    case CUDNN_DATA_FLOAT: return 4;
    case CUDNN_DATA_HALF:
    case CUDNN_DATA_BFLOAT16: return 2;
    default: return 0;
    }
}

size_t extent_bytes(const Geometry& g) {
    int64_t last = 0;
    for (int i = 0; i < 5; i++) last += (g.dims[i] - 1) * g.strides[i];
    return (size_t)(last + 1) * element_bytes(g.type);
}

int64_t output_size(int64_t in, int64_t filter, int64_t pre, int64_t post, int64_t stride, int64_t dilation) {
    const int64_t span = in + pre + post - dilation * (filter - 1) - 1;
    if (span < 0) return 0;  // the filter does not fit in the padded input
    return span / stride + 1;
}

namespace {

float load(cudnnDataType_t t, const void* base, int64_t index) {
    switch (t) {
    case CUDNN_DATA_HALF: return half_to_float(static_cast<const uint16_t*>(base)[index]);
    case CUDNN_DATA_BFLOAT16: return bf16_to_float(static_cast<const uint16_t*>(base)[index]);
    default: return static_cast<const float*>(base)[index];
    }
}

void store(cudnnDataType_t t, void* base, int64_t index, float v) {
    switch (t) {
    case CUDNN_DATA_HALF: static_cast<uint16_t*>(base)[index] = float_to_half(v); break;
    case CUDNN_DATA_BFLOAT16: static_cast<uint16_t*>(base)[index] = float_to_bf16(v); break;
    default: static_cast<float*>(base)[index] = v; break;
    }
}

int64_t offset(const Geometry& g, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e) {
    return a * g.strides[0] + b * g.strides[1] + c * g.strides[2] + d * g.strides[3] + e * g.strides[4];
}

struct Prepared {
    const ConvProblem& p;
    std::vector<float> xf, wf;  // NDHWC; [g][t][r][s][c][k]
    int64_t N, C, D, H, W, K, Cg, Kg, T, R, S, G, OD, OH, OW;
};

void rows(const Prepared& q, const void* yold, void* y, int64_t row_begin, int64_t row_end) {
    const ConvProblem& p = q.p;
    std::vector<float> acc(q.K);
    for (int64_t row = row_begin; row < row_end; row++) {  // row = (n * OD + od) * OH + oh
        const int64_t oh = row % q.OH, od = (row / q.OH) % q.OD, n = row / (q.OH * q.OD);
        for (int64_t ow = 0; ow < q.OW; ow++) {
            std::fill(acc.begin(), acc.end(), 0.0f);
            for (int64_t t = 0; t < q.T; t++) {
                const int64_t id = od * p.stride[0] - p.pre[0] + t * p.dilation[0];
                if (id < 0 || id >= q.D) continue;
                for (int64_t r = 0; r < q.R; r++) {
                    const int64_t ih = oh * p.stride[1] - p.pre[1] + r * p.dilation[1];
                    if (ih < 0 || ih >= q.H) continue;
                    for (int64_t s = 0; s < q.S; s++) {
                        const int64_t iw = ow * p.stride[2] - p.pre[2] + s * p.dilation[2];
                        if (iw < 0 || iw >= q.W) continue;
                        const float* xp = &q.xf[(((n * q.D + id) * q.H + ih) * q.W + iw) * q.C];
                        for (int64_t g = 0; g < q.G; g++) {
                            const float* xg = xp + g * q.Cg;
                            const float* wg = &q.wf[((((g * q.T + t) * q.R + r) * q.S + s) * q.Cg) * q.Kg];
                            float* a = acc.data() + g * q.Kg;
                            for (int64_t c = 0; c < q.Cg; c++) {
                                const float xv = xg[c];
                                const float* wr = wg + c * q.Kg;
                                for (int64_t k = 0; k < q.Kg; k++) a[k] += xv * wr[k];
                            }
                        }
                    }
                }
            }
            for (int64_t k = 0; k < q.K; k++) {
                const int64_t o = offset(p.y, n, k, od, oh, ow);
                float v = p.alpha * acc[k];
                if (p.beta != 0.0f) v += p.beta * load(p.y.type, yold, o);
                store(p.y.type, y, o, v);
            }
        }
    }
}

}  // namespace

void conv_forward(const ConvProblem& p, const void* x, const void* w, void* y) {
    Prepared q{p, {}, {}, p.x.dims[0], p.x.dims[1], p.x.dims[2], p.x.dims[3], p.x.dims[4], p.w.dims[0], p.w.dims[1],
               0, p.w.dims[2], p.w.dims[3], p.w.dims[4], p.groups, p.y.dims[2], p.y.dims[3], p.y.dims[4]};
    q.Kg = q.K / q.G;
    q.xf.resize((size_t)(q.N * q.D * q.H * q.W * q.C));
    for (int64_t n = 0; n < q.N; n++)
        for (int64_t d = 0; d < q.D; d++)
            for (int64_t h = 0; h < q.H; h++)
                for (int64_t iw = 0; iw < q.W; iw++) {
                    float* out = &q.xf[(((n * q.D + d) * q.H + h) * q.W + iw) * q.C];
                    for (int64_t c = 0; c < q.C; c++) out[c] = load(p.x.type, x, offset(p.x, n, c, d, h, iw));
                }
    q.wf.resize((size_t)(q.K * q.Cg * q.T * q.R * q.S));
    for (int64_t k = 0; k < q.K; k++) {
        const int64_t g = k / q.Kg, kk = k % q.Kg;
        for (int64_t c = 0; c < q.Cg; c++)
            for (int64_t t = 0; t < q.T; t++)
                for (int64_t r = 0; r < q.R; r++)
                    for (int64_t s = 0; s < q.S; s++) {
                        const int64_t ft = p.flip ? q.T - 1 - t : t, fr = p.flip ? q.R - 1 - r : r,
                                      fs = p.flip ? q.S - 1 - s : s;
                        q.wf[(((((g * q.T + t) * q.R + r) * q.S + s) * q.Cg + c) * q.Kg) + kk] =
                            load(p.w.type, w, offset(p.w, k, c, ft, fr, fs));
                    }
    }
    // With beta != 0 the old y is read while y is written: each output reads only its own element,
    // so reading and writing the same buffer is safe.
    const int64_t total_rows = q.N * q.OD * q.OH;
    const double macs = (double)total_rows * q.OW * q.K * q.Cg * q.T * q.R * q.S;
    unsigned threads = std::min<unsigned>(std::max(1u, std::thread::hardware_concurrency()), 8u);
    if (macs < 4e6 || total_rows < 2) threads = 1;
    threads = (unsigned)std::min<int64_t>(threads, total_rows);
    if (threads <= 1) {
        rows(q, y, y, 0, total_rows);
        return;
    }
    std::vector<std::thread> pool;
    for (unsigned i = 0; i < threads; i++) {
        const int64_t b = total_rows * i / threads, e = total_rows * (i + 1) / threads;
        pool.emplace_back([&q, y, b, e] { rows(q, y, y, b, e); });
    }
    for (auto& t : pool) t.join();
}

}  // namespace tjemu::dnn
